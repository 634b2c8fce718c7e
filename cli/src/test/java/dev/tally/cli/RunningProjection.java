package dev.tally.cli;

import dev.tally.runtime.projection.DeadLetters;
import dev.tally.runtime.projection.EventIdentity;
import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.projection.ProjectionBatch;
import dev.tally.runtime.projection.ProjectionView;
import dev.tally.runtime.projection.Relation;
import dev.tally.runtime.projection.ProjectionHealth;
import dev.tally.runtime.projection.ProjectionMetrics;
import dev.tally.runtime.projection.ProjectionTopology;
import dev.tally.runtime.projection.ProjectorTopologyConfig;
import dev.tally.runtime.projection.RejectedRecordException;
import dev.tally.runtime.projection.Generation;
import dev.tally.testing.TestInfrastructure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * A projection of one generation of the read model run by a real Kafka Streams application, as the
 * projector runs it, with whatever projection code a test gives it (an older build's, say).
 */
final class RunningProjection implements AutoCloseable {

  private final KafkaStreams streams;

  <E> RunningProjection(Projection<E> projection, Generation generation, DataSource dataSource, String events,
      String deadLetters) {
    ProjectorTopologyConfig config = new ProjectorTopologyConfig(events, deadLetters, projection.name(), dataSource,
        generation.schema(), generation.number(), generation.applicationId(), TestInfrastructure.kafkaBootstrapServers(),
        "tally_projection", 1000, new ProjectionMetrics(new SimpleMeterRegistry(), projection.name()),
        new ProjectionHealth(Clock.systemUTC()));
    Properties properties = new Properties();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, generation.applicationId());
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers());
    properties.put(StreamsConfig.STATE_DIR_CONFIG, Path.of("target", "streams-state").toAbsolutePath().toString());
    properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "50");
    properties.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    properties.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    properties.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
    properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    streams = new KafkaStreams(ProjectionTopology.build(config, projection), properties);
    streams.setUncaughtExceptionHandler(e -> StreamThreadExceptionResponse.REPLACE_THREAD);
    streams.start();
  }

  /** The projection as an older build had it: refusing (as poison) every event whose text contains {@code marker}. */
  static <E> Projection<E> refusing(Projection<E> projection, String marker) {
    return new Projection<>() {
      @Override
      public String name() {
        return projection.name();
      }

      @Override
      public String sourceAggregateType() {
        return projection.sourceAggregateType();
      }

      @Override
      public E read(String key, byte[] value) {
        E event = projection.read(key, value);
        if (event.toString().contains(marker)) {
          throw new RejectedRecordException(DeadLetters.Reason.INVALID, "this build refuses '" + marker + "'", null);
        }
        return event;
      }

      @Override
      public EventIdentity identity(E event) {
        return projection.identity(event);
      }

      @Override
      public ProjectionBatch<E> newBatch() {
        return projection.newBatch();
      }

      @Override
      public ProjectionView<E, ?> view() {
        return projection.view();
      }

      @Override
      public String migrations() {
        return projection.migrations();
      }

      @Override
      public List<Relation> relations() {
        return projection.relations();
      }
    };
  }

  @Override
  public void close() {
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
  }
}
