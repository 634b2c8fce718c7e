package dev.tally.runtime.projection;

/**
 * One generation of the read model: a schema of its own, filled by one Kafka Streams application
 * (its own consumer group) from the start of the event log.
 *
 * @param number 1, 2, ...: a rebuild creates the next one
 * @param schema where its tables are ({@code tally_read_g<number>})
 * @param applicationId the Kafka Streams application id (and consumer group) that fills it
 * @param state where it is in its life
 */
public record Generation(int number, String schema, String applicationId, State state) {

  /** The schema name is put into SQL text: it must be a plain identifier. */
  public Generation {
    ReadModelSchemas.requireIdentifier(schema, "schema");
  }

  /** BUILDING → LIVE → RETIRING → RETIRED, or BUILDING → FAILED. */
  public enum State {
    /** Being filled from the start of the log; readers do not see it. */
    BUILDING,
    /** What the serving views point at: the one readers see. */
    LIVE,
    /** Replaced by a newer generation; its application stops, then its schema is dropped. */
    RETIRING,
    /** Its schema is gone. */
    RETIRED,
    /** A build that was abandoned or failed verification; its schema is gone. */
    FAILED;

    /** Whether a projector runs this generation's application. */
    public boolean projected() {
      return this == BUILDING || this == LIVE;
    }
  }
}
