package dev.tally.projector.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * What a projection reports about its writes (Micrometer; {@code /actuator/prometheus}):
 * <ul>
 *   <li>{@code tally.projection.batch.size}: events per written batch (distribution summary);
 *   <li>{@code tally.projection.batch.duration}: time to write and commit one batch;
 *   <li>{@code tally.projection.events}: events handled (applied or dead-lettered);
 *   <li>{@code tally.projection.rows.written}: rows changed in PostgreSQL, a counter whose rate is
 *       rows written per second;
 *   <li>{@code tally.projection.dead.letters}: records sent to the dead-letter topic, by reason.
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
    deadLetterCounter(DeadLetters.Reason.UNDECODABLE);
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
  public void deadLettered(DeadLetters.Reason reason) {
    deadLetterCounter(reason).increment();
  }

  private Counter deadLetterCounter(DeadLetters.Reason reason) {
    return Counter.builder("tally.projection.dead.letters")
        .description("Records sent to the dead-letter topic")
        .tag("projection", projection)
        .tag("reason", reason.label())
        .register(registry);
  }
}
