package dev.tally.analytics;

import dev.tally.schemas.AggregateTopics;
import dev.tally.schemas.Aggregates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Settings of the volume application. Each comes from a command-line option, else an environment
 * variable, else its default:
 *
 * <pre>
 * --bootstrap-servers    TALLY_KAFKA_BOOTSTRAP_SERVERS     127.0.0.1:9092
 * --application-id       TALLY_ANALYTICS_APPLICATION_ID    tally-analytics-volume   (also the consumer group)
 * --events-topic         TALLY_TOPICS_ACCOUNT_EVENTS       tally.account-events
 * --output-topic         TALLY_ANALYTICS_OUTPUT_TOPIC      tally.analytics.volume-per-currency-minute
 * --window               TALLY_ANALYTICS_WINDOW            PT1M
 * --grace                TALLY_ANALYTICS_GRACE             PT30S    (how far event time may go back within a
 *                                                                   partition, or lag the wall clock when it appears)
 * --state-dir            TALLY_ANALYTICS_STATE_DIR         &lt;java.io.tmpdir&gt;/tally-analytics
 * --create-output-topic  TALLY_ANALYTICS_CREATE_OUTPUT_TOPIC  true
 * </pre>
 */
public record VolumeConfig(String bootstrapServers, String applicationId, String eventsTopic, String outputTopic,
    Duration window, Duration grace, Path stateDir, boolean createOutputTopic) {

  public static final String DEFAULT_APPLICATION_ID = "tally-analytics-volume";
  public static final String DEFAULT_OUTPUT_TOPIC = "tally.analytics.volume-per-currency-minute";

  public VolumeConfig {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, not " + window);
    }
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative, not " + grace);
    }
  }

  public static VolumeConfig defaults() {
    return from(new String[0], Map.of());
  }

  /** Options from {@code args} ({@code --name value} or {@code --name=value}), else {@code env}, else defaults. */
  public static VolumeConfig from(String[] args, Map<String, String> env) {
    Options options = new Options(args, env);
    return new VolumeConfig(
        options.get("--bootstrap-servers", "TALLY_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        options.get("--application-id", "TALLY_ANALYTICS_APPLICATION_ID", DEFAULT_APPLICATION_ID),
        options.get("--events-topic", "TALLY_TOPICS_ACCOUNT_EVENTS", AggregateTopics.of(Aggregates.ACCOUNT).events()),
        options.get("--output-topic", "TALLY_ANALYTICS_OUTPUT_TOPIC", DEFAULT_OUTPUT_TOPIC),
        Duration.parse(options.get("--window", "TALLY_ANALYTICS_WINDOW", "PT1M")),
        Duration.parse(options.get("--grace", "TALLY_ANALYTICS_GRACE", "PT30S")),
        Path.of(options.get("--state-dir", "TALLY_ANALYTICS_STATE_DIR",
            Path.of(System.getProperty("java.io.tmpdir"), "tally-analytics").toString())),
        Boolean.parseBoolean(options.get("--create-output-topic", "TALLY_ANALYTICS_CREATE_OUTPUT_TOPIC", "true")));
  }

  public VolumeConfig withApplicationId(String id) {
    return new VolumeConfig(bootstrapServers, id, eventsTopic, outputTopic, window, grace, stateDir, createOutputTopic);
  }

  public VolumeConfig withTopics(String events, String output) {
    return new VolumeConfig(bootstrapServers, applicationId, events, output, window, grace, stateDir, createOutputTopic);
  }

  public VolumeConfig withBootstrapServers(String servers) {
    return new VolumeConfig(servers, applicationId, eventsTopic, outputTopic, window, grace, stateDir, createOutputTopic);
  }

  public VolumeConfig withStateDir(Path dir) {
    return new VolumeConfig(bootstrapServers, applicationId, eventsTopic, outputTopic, window, grace, dir, createOutputTopic);
  }

  /** The Kafka Streams configuration: exactly-once, from the earliest offset when the group has none. */
  public Properties streamsProperties() {
    Properties properties = new Properties();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    // Transactions: the output, the changelogs and the input offsets commit together; the
    // consumers read read_committed, so aborted writes of the single writer are never counted.
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return properties;
  }

  private record Options(String[] args, Map<String, String> env) {
    String get(String option, String variable, String fallback) {
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals(option) && i + 1 < args.length) {
          return args[i + 1];
        }
        if (args[i].startsWith(option + "=")) {
          return args[i].substring(option.length() + 1);
        }
      }
      String value = env.get(variable);
      return value == null || value.isBlank() ? fallback : value;
    }
  }
}
