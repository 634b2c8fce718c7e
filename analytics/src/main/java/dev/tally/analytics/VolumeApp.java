package dev.tally.analytics;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the volume-per-currency-per-minute Kafka Streams application until the JVM is stopped.
 *
 * <p>{@code java -jar tally-analytics.jar [--bootstrap-servers HOST:PORT] [--application-id ID] ...};
 * the options are listed on {@link VolumeConfig}.
 */
public final class VolumeApp {

  private static final Logger log = LoggerFactory.getLogger(VolumeApp.class);

  private VolumeApp() {
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println("""
          Usage: java -jar tally-analytics.jar [--bootstrap-servers 127.0.0.1:9092] [--application-id tally-analytics-volume]
                 [--events-topic tally.account-events] [--output-topic tally.analytics.volume-per-currency-minute]
                 [--window PT1M] [--grace PT30S] [--state-dir DIR] [--create-output-topic true]
          Each option can also be set by environment: TALLY_KAFKA_BOOTSTRAP_SERVERS, TALLY_ANALYTICS_APPLICATION_ID,
          TALLY_TOPICS_ACCOUNT_EVENTS, TALLY_ANALYTICS_OUTPUT_TOPIC, TALLY_ANALYTICS_WINDOW, TALLY_ANALYTICS_GRACE,
          TALLY_ANALYTICS_STATE_DIR, TALLY_ANALYTICS_CREATE_OUTPUT_TOPIC.""");
      return;
    }
    VolumeConfig config = VolumeConfig.from(args, System.getenv());
    KafkaStreams streams = start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping");
      streams.close(Duration.ofSeconds(30));
      stopped.countDown();
    }, "tally-analytics-shutdown"));
    while (!stopped.await(1, TimeUnit.SECONDS)) {
      if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
        log.error("Kafka Streams is {}: exiting", streams.state());
        System.exit(1);
      }
    }
  }

  /** Creates the output topic if asked to, then starts the application; the caller closes it. */
  public static KafkaStreams start(VolumeConfig config) {
    int partitions = eventsPartitions(config);
    if (config.createOutputTopic()) {
      ensureOutputTopic(config, partitions);
    }
    KafkaStreams streams = new KafkaStreams(VolumeTopology.build(config, partitions), config.streamsProperties());
    streams.setUncaughtExceptionHandler(e -> {
      log.error("stream thread failed; stopping this instance (its partitions move to the others)", e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> log.info("Kafka Streams {} -> {}", before, now));
    log.info("starting {}: {} -> {} (window {}, grace {})", config.applicationId(), config.eventsTopic(),
        config.outputTopic(), config.window(), config.grace());
    streams.start();
    return streams;
  }

  /** The partition count of the events topic: each partition's watermark closes windows. */
  static int eventsPartitions(VolumeConfig config) {
    try (Admin admin = admin(config)) {
      return admin.describeTopics(Set.of(config.eventsTopic())).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(config.eventsTopic()).partitions().size();
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe the events topic " + config.eventsTopic(), e);
    }
  }

  /** Creates the output topic with the events topic's partition count, if it does not exist. */
  static void ensureOutputTopic(VolumeConfig config, int partitions) {
    try (Admin admin = admin(config)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (existing.contains(config.outputTopic())) {
        return;
      }
      try {
        admin.createTopics(Set.of(new NewTopic(config.outputTopic(), Optional.of(partitions), Optional.empty())))
            .all().get(30, TimeUnit.SECONDS);
        log.info("created topic {} with {} partitions", config.outputTopic(), partitions);
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the output topic " + config.outputTopic(), e);
    }
  }

  private static Admin admin(VolumeConfig config) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()));
  }
}
