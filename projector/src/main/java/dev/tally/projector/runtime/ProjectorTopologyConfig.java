package dev.tally.projector.runtime;

import dev.tally.readmodel.ReadModelSchemas;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Everything a projection topology needs, passed to a plain {@code build} function.
 *
 * @param eventsTopic the topic the projection reads
 * @param deadLettersTopic where events it cannot decode or apply go
 * @param projection the projection's name: the key of its checkpoints and parked keys
 * @param dataSource the read model's database, as its writer
 * @param schema the schema the projection writes its tables in (a generation's schema)
 * @param notifyChannel the PostgreSQL channel notified after each committed batch
 * @param maxBatchEvents a batch is written as soon as it holds this many events, even between commits
 * @param metrics where the projection reports batch sizes, rows and dead letters
 */
public record ProjectorTopologyConfig(
    String eventsTopic,
    String deadLettersTopic,
    String projection,
    DataSource dataSource,
    String schema,
    String notifyChannel,
    int maxBatchEvents,
    ProjectionMetrics metrics) {

  public ProjectorTopologyConfig {
    Objects.requireNonNull(eventsTopic, "eventsTopic");
    Objects.requireNonNull(deadLettersTopic, "deadLettersTopic");
    Objects.requireNonNull(projection, "projection");
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(metrics, "metrics");
    ReadModelSchemas.requireIdentifier(schema, "schema");
    ReadModelSchemas.requireIdentifier(notifyChannel, "notifyChannel");
    if (maxBatchEvents < 1) {
      throw new IllegalArgumentException("maxBatchEvents must be at least 1, not " + maxBatchEvents);
    }
  }
}
