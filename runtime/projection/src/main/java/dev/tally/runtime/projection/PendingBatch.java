package dev.tally.runtime.projection;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What a task handled since its last write: events to apply, keys held back or parked, records
 * skipped, and the offsets and time it spans. Filled by the stream thread, then handed whole to
 * the task's writer; never touched by both at once.
 */
final class PendingBatch<E> {

  /** An event to apply, where it came from and whose it is. */
  record Entry<E>(long offset, String key, E event, EventIdentity identity) {
  }

  final List<Entry<E>> entries = new ArrayList<>();
  final Set<String> heldBack = new HashSet<>();
  final List<ProjectionTables.Parking> parkings = new ArrayList<>();
  final Set<Long> skipped = new HashSet<>();
  int handled;
  long firstOffset = -1;
  long lastOffset = -1;
  long lastTimestamp;

  /** Counts a handled record: its offset becomes part of the batch's checkpoint. */
  void handled(long offset, long timestamp) {
    if (handled == 0) {
      firstOffset = offset;
    }
    lastOffset = offset;
    lastTimestamp = timestamp;
    handled++;
  }

  Set<UUID> aggregates() {
    Set<UUID> aggregates = new HashSet<>();
    entries.forEach(entry -> aggregates.add(entry.identity().aggregateId()));
    return aggregates;
  }

  Set<String> keys() {
    Set<String> keys = new HashSet<>(heldBack);
    entries.forEach(entry -> keys.add(entry.key()));
    return keys;
  }

  /** The projection's SQL batch of these events. */
  static <E> ProjectionBatch<E> batchOf(Projection<E> projection, List<Entry<E>> entries) {
    ProjectionBatch<E> batch = projection.newBatch();
    entries.forEach(entry -> batch.add(entry.event()));
    return batch;
  }
}
