package dev.tally.runtime.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a projection reports about its writes (Micrometer; {@code /actuator/prometheus}):
 * <ul>
 *   <li>{@code tally.projection.batch.size}: events per written batch (distribution summary);
 *   <li>{@code tally.projection.batch.duration}: time to write and commit one batch;
 *   <li>{@code tally.projection.events}: events handled (applied or dead-lettered);
 *   <li>{@code tally.projection.rows.written}: rows changed in PostgreSQL, a counter whose rate is
 *       rows written per second;
 *   <li>{@code tally.projection.dead.letters}: records sent to the dead-letter topic, by reason;
 *   <li>{@code tally.projection.faults}: aggregates parked because the log broke their history
 *       ({@code gap}, {@code conflict}, {@code overlap}) or the database refused an event
 *       ({@code refused}), by kind;
 *   <li>{@code tally.projection.duplicates}: events already applied, seen again (no-ops);
 *   <li>{@code tally.projection.skipped}: records passed over because an operator skipped them;
 *   <li>{@code tally.projection.stalls}: times a task stopped at a record this reader cannot read yet.
 * </ul>
 * Lag lives in {@link ProjectionLag}.
 */
public final class ProjectionMetrics {

  private final MeterRegistry registry;
  private final String projection;
  private final DistributionSummary batchSize;
  private final Timer batchDuration;
  private final Counter events;
  private final Counter rows;
  private final Counter duplicates;
  private final Counter skipped;
  private final Counter stalls;

  public ProjectionMetrics(MeterRegistry registry, String projection) {
    this.registry = registry;
    this.projection = projection;
    this.batchSize = DistributionSummary.builder("tally.projection.batch.size")
        .description("Events per batch written to PostgreSQL")
        .baseUnit("events")
        .tag("projection", projection)
        .publishPercentiles(0.5, 0.99)
        .register(registry);
    this.batchDuration = Timer.builder("tally.projection.batch.duration")
        .description("Time to write and commit one batch, checkpoint included")
        .tag("projection", projection)
        .publishPercentiles(0.5, 0.99)
        .register(registry);
    this.events = Counter.builder("tally.projection.events")
        .description("Events handled: applied to the read model or sent to the dead-letter topic")
        .tag("projection", projection)
        .register(registry);
    this.rows = Counter.builder("tally.projection.rows.written")
        .description("Rows changed in the read model; its rate is rows written per second")
        .tag("projection", projection)
        .register(registry);
    this.duplicates = Counter.builder("tally.projection.duplicates")
        .description("Events already applied, seen again: no-ops")
        .tag("projection", projection)
        .register(registry);
    this.skipped = Counter.builder("tally.projection.skipped")
        .description("Records passed over because an operator skipped them (tally dead-letters skip)")
        .tag("projection", projection)
        .register(registry);
    this.stalls = Counter.builder("tally.projection.stalls")
        .description("Times a task stopped at a record written with a schema this reader does not know")
        .tag("projection", projection)
        .register(registry);
    deadLetterCounter(DeadLetters.Reason.UNDECODABLE);
    for (DeadLetters.Reason kind : List.of(DeadLetters.Reason.GAP, DeadLetters.Reason.CONFLICT,
        DeadLetters.Reason.OVERLAP, DeadLetters.Reason.REFUSED)) {
      faultCounter(kind);
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  public String projection() {
    return projection;
  }

  void batchWritten(int handledEvents, long changedRows, long nanos) {
    batchSize.record(handledEvents);
    batchDuration.record(nanos, TimeUnit.NANOSECONDS);
    events.increment(handledEvents);
    rows.increment(changedRows);
  }

  /** Counts one record sent to the dead-letter topic. */
  void deadLettered(DeadLetters.Reason reason) {
    deadLetterCounter(reason).increment();
  }

  /** Counts one aggregate parked by a fault found when its batch was written. */
  void fault(DeadLetters.Reason kind) {
    faultCounter(kind).increment();
  }

  void duplicates(long count) {
    duplicates.increment(count);
  }

  void skipped() {
    skipped.increment();
  }

  void stalled() {
    stalls.increment();
  }

  private Counter faultCounter(DeadLetters.Reason kind) {
    return Counter.builder("tally.projection.faults")
        .description("Aggregates parked because the log broke their history or the database refused an event")
        .tag("projection", projection)
        .tag("kind", kind.label())
        .register(registry);
  }

  private Counter deadLetterCounter(DeadLetters.Reason reason) {
    return Counter.builder("tally.projection.dead.letters")
        .description("Records sent to the dead-letter topic")
        .tag("projection", projection)
        .tag("reason", reason.label())
        .register(registry);
  }
}
