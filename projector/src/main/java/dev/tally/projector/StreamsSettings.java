package dev.tally.projector;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration of the projector, from its properties. */
public final class StreamsSettings {

  private StreamsSettings() {
  }

  /**
   * The settings of the application that fills one generation of the read model.
   *
   * @param building a generation being built commits every {@code build-commit-interval}, the live
   *     one every {@code commit-interval}; each kind has a state directory of its own, so that both
   *     can run side by side in one process while a switched generation changes kind
   */
  public static Properties of(ProjectorProperties settings, String bootstrapServers, String applicationId,
      boolean building) {
    Duration commitInterval = building ? settings.buildCommitInterval() : settings.commitInterval();
    Properties properties = new Properties();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(StreamsConfig.STATE_DIR_CONFIG,
        settings.stateDirectory().resolve(building ? "building" : "live").toString());
    properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitInterval.toMillis()));
    properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(settings.streamThreads()));
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee());
    properties.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    properties.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    properties.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    // The events topic is written by a transactional producer: never project an aborted or open
    // transaction. Exactly-once sets this by itself; at-least-once needs it said.
    properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
    properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // A read_committed long poll is not woken when a transaction commits (the last stable offset
    // moves, no new bytes arrive): it waits out fetch.max.wait.ms. Keep both waits short, so an
    // event is projected within a commit interval of its commit; they only matter when idle.
    properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "10");
    properties.put(StreamsConfig.POLL_MS_CONFIG, "10");
    properties.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
    properties.put(StreamsConfig.producerPrefix(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG), "true");
    for (Map.Entry<String, String> entry : settings.streams().entrySet()) {
      properties.put(entry.getKey(), entry.getValue());
    }
    return properties;
  }
}
