package dev.tally.runtime.projection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What stops a projection's tasks, reported by the tasks (on their stream threads) and read by the
 * service that runs them (health, and the runner that reconciles a read model that went back):
 * <ul>
 *   <li>a <b>stall</b>: a partition that cannot go on until a newer reader is deployed (a record
 *       written with a schema this reader does not know). The task fails and is retried with a
 *       growing pause; the stall is shown until the partition makes progress again;
 *   <li>a <b>rewind</b>: the read model holds less than the task knows it committed, or than
 *       Kafka's consumer group has passed (a database crash without durable commits, a restored
 *       backup): the application must resume from the database's checkpoints.
 * </ul>
 * One instance per projector process, shared by every generation it runs (keyed by schema).
 */
public final class ProjectionHealth {

  /** Retries of a stalled partition pause this long at most. */
  static final Duration MAX_PAUSE = Duration.ofSeconds(30);
  /** A stall not renewed for this long is forgotten (its partition moved to another instance, say). */
  private static final Duration FORGET_AFTER = MAX_PAUSE.multipliedBy(3);

  private final Clock clock;
  private final Map<Slot, Stall> stalls = new ConcurrentHashMap<>();
  private final Set<String> rewound = ConcurrentHashMap.newKeySet();

  public ProjectionHealth(Clock clock) {
    this.clock = clock;
  }

  /**
   * A partition of a generation's projection that cannot go on, and since when it has tried.
   *
   * @param rewound whether it waits for the read model to be reconciled (rather than for a newer reader)
   */
  public record Stall(String schema, int partition, long offset, String reason, Instant since, Instant last,
      int attempts, boolean rewound) {
  }

  private record Slot(String schema, int partition) {
  }

  /**
   * Records that a partition stopped at a record it cannot read yet; returns how long to pause
   * before failing the task (nothing the first time, then doubling up to {@link #MAX_PAUSE}).
   */
  public Duration stalled(String schema, int partition, long offset, String reason) {
    return stall(schema, partition, offset, reason, false);
  }

  /**
   * Records that a partition found its read model behind what its application has passed (and
   * the generation to be reconciled, {@link #takeRewound}); returns how long to pause, as {@link #stalled}.
   */
  public Duration rewound(String schema, int partition, long offset, String reason) {
    rewound.add(schema);
    return stall(schema, partition, offset, reason, true);
  }

  private Duration stall(String schema, int partition, long offset, String reason, boolean rewinding) {
    Instant now = clock.instant();
    Stall stall = stalls.merge(new Slot(schema, partition),
        new Stall(schema, partition, offset, reason, now, now, 1, rewinding),
        (before, next) -> new Stall(schema, partition, offset, reason, before.since(), now, before.attempts() + 1,
            rewinding));
    long pauseMillis = Math.min(MAX_PAUSE.toMillis(), stall.attempts() <= 1 ? 0 : 500L << Math.min(10, stall.attempts() - 2));
    return Duration.ofMillis(pauseMillis);
  }

  /** The partition went past a record: whatever stalled it is over. */
  public void progressed(String schema, int partition) {
    if (!stalls.isEmpty()) {
      stalls.remove(new Slot(schema, partition));
    }
  }

  /** The partition resumed where its read model stopped: a rewind that stalled it is over. */
  public void resumed(String schema, int partition) {
    if (!stalls.isEmpty()) {
      stalls.computeIfPresent(new Slot(schema, partition), (slot, stall) -> stall.rewound() ? null : stall);
    }
  }

  /** The current stalls of a generation's projection. */
  public List<Stall> stalls(String schema) {
    Instant oldest = clock.instant().minus(FORGET_AFTER);
    stalls.values().removeIf(stall -> stall.last().isBefore(oldest));
    return stalls.values().stream().filter(stall -> stall.schema().equals(schema)).toList();
  }

  /** Whether a generation was reported rewound since the last call; clears the report. */
  public boolean takeRewound(String schema) {
    return rewound.remove(schema);
  }
}
