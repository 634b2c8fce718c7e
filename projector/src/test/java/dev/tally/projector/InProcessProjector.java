package dev.tally.projector;

import dev.tally.account.projection.AccountProjection;
import dev.tally.runtime.projection.ProjectionHealth;
import dev.tally.runtime.projection.ProjectionMetrics;
import dev.tally.runtime.projection.ProjectorTopologyConfig;
import dev.tally.testing.TestInfrastructure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/** The account projection's topology run by a real KafkaStreams instance, without Spring. */
final class InProcessProjector implements AutoCloseable {

  final String applicationId;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ProjectionHealth health = new ProjectionHealth(Clock.systemUTC());
  private final KafkaStreams streams;

  InProcessProjector(String applicationId, String eventsTopic, String deadLettersTopic, DataSource dataSource,
      Duration commitInterval) {
    this(applicationId, eventsTopic, deadLettersTopic, dataSource, commitInterval, 1);
  }

  InProcessProjector(String applicationId, String eventsTopic, String deadLettersTopic, DataSource dataSource,
      Duration commitInterval, int threads) {
    this.applicationId = applicationId;
    ProjectorTopologyConfig config = new ProjectorTopologyConfig(eventsTopic, deadLettersTopic, AccountProjection.NAME,
        dataSource, "public", 1, applicationId, TestInfrastructure.kafkaBootstrapServers(), "tally_projection",
        Integer.getInteger("tally.benchmark.max-batch", 5000), new ProjectionMetrics(registry, AccountProjection.NAME),
        health);
    // Under target/: Kafka Streams leaves it empty anyway, the projection having no local state.
    ProjectorProperties settings = new ProjectorProperties(applicationId,
        Path.of("target", "streams-state", applicationId).toAbsolutePath().toString(), commitInterval, 5000, commitInterval, 5000, threads,
        "at_least_once", "tally_reader", "tally_projection", Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(1), Map.of());
    streams = new KafkaStreams(AccountProjection.build(config),
        StreamsSettings.of(settings, TestInfrastructure.kafkaBootstrapServers(), applicationId, false));
    // As the service does (StreamsRuntime): a failed thread is replaced, its tasks replayed.
    streams.setUncaughtExceptionHandler(e -> StreamThreadExceptionResponse.REPLACE_THREAD);
    streams.start();
  }

  /** Events handled (applied or dead-lettered) and written to the database. */
  double eventsWritten() {
    return registry.get("tally.projection.events").counter().count();
  }

  KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
  }
}
