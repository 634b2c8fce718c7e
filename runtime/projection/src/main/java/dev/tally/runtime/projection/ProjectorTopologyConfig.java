package dev.tally.runtime.projection;

import dev.tally.runtime.projection.ReadModelSchemas;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Everything a projection topology needs, passed to a plain {@code build} function.
 *
 * @param eventsTopic the topic the projection reads
 * @param deadLettersTopic where records it cannot decode or apply go
 * @param projection the projection's name: the key of its checkpoints, versions and parked keys
 * @param dataSource the read model's database, as its writer
 * @param schema the schema the projection writes its tables in (a generation's schema)
 * @param generation the number of that generation, named on dead letters
 * @param applicationId the Kafka Streams application (consumer group) running the topology, named on dead letters
 * @param bootstrapServers the brokers, for reading the events topic outside the stream (checking where a task resumes)
 * @param notifyChannel the PostgreSQL channel notified after each committed batch
 * @param maxBatchEvents a batch is written as soon as it holds this many events, even between commits
 * @param metrics where the projection reports batch sizes, rows, dead letters and faults
 * @param health where its tasks report what stops them (a reader too old, a read model that went back)
 */
public record ProjectorTopologyConfig(
    String eventsTopic,
    String deadLettersTopic,
    String projection,
    DataSource dataSource,
    String schema,
    int generation,
    String applicationId,
    String bootstrapServers,
    String notifyChannel,
    int maxBatchEvents,
    ProjectionMetrics metrics,
    ProjectionHealth health) {

  public ProjectorTopologyConfig {
    Objects.requireNonNull(eventsTopic, "eventsTopic");
    Objects.requireNonNull(deadLettersTopic, "deadLettersTopic");
    Objects.requireNonNull(projection, "projection");
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(health, "health");
    ReadModelSchemas.requireIdentifier(schema, "schema");
    ReadModelSchemas.requireIdentifier(notifyChannel, "notifyChannel");
    if (maxBatchEvents < 1) {
      throw new IllegalArgumentException("maxBatchEvents must be at least 1, not " + maxBatchEvents);
    }
  }
}
