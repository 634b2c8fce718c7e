package dev.tally.runtime.projection;

import dev.tally.runtime.projection.PendingBatch.Entry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one task's batches to PostgreSQL, each in one transaction with the partition's checkpoint,
 * retrying transient failures with a growing backoff. One per task start, used by its writer thread.
 *
 * <p><b>What a batch transaction checks</b> (ADR 0020), with one statement that also locks the
 * partition's checkpoint row, so that everything writing a partition takes turns:
 * <ul>
 *   <li>the checkpoint is not below what this task committed: else the database lost commits (a
 *       crash without durable commits, a restored backup), the task fails and the read model is
 *       reported rewound ({@link ProjectionHealth}) for the runner to resume from the checkpoint;
 *   <li>records at or below the checkpoint are applied already (another writer got there first);
 *   <li>each aggregate's events follow the version the read model holds ({@link VersionGate}): a
 *       duplicate is a no-op; a gap, a conflict or an overlap parks the aggregate's key;
 *   <li>the keys this task held back are still parked, and no other key of the batch was parked
 *       or skipped meanwhile (by a re-drive, another writer, an operator).
 * </ul>
 * Whenever the batch cannot be written as the task decided it (a key to park, a stale view of what
 * is parked or skipped), nothing of it is written: the keys to park are parked in a transaction of
 * their own, and the task fails, to replay from its last committed offset with what the database
 * now says. So every dead letter is decided, and sent, while processing, in log order.
 *
 * <p>A value the database refuses parks only its key ({@link RefusedValues}). Any other error, or a
 * transient one still failing after the last retry, fails the task as above. A committed batch adds
 * its rows, the aggregates' new versions, the keys the task parked, the checkpoint and the
 * notification readers wait for.
 */
final class BatchTransaction<E> {

  private static final Logger log = LoggerFactory.getLogger(BatchTransaction.class);
  private static final int MAX_ATTEMPTS = 6;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

  private final ProjectorTopologyConfig config;
  private final Projection<E> projection;
  private final TaskId taskId;
  private final int partition;
  private final RefusedValues<E> refusedValues;
  /** The checkpoint this task knows the database holds: never more than it. */
  private volatile long committed;

  BatchTransaction(ProjectorTopologyConfig config, Projection<E> projection, TaskId taskId, long checkpoint) {
    this.config = config;
    this.projection = projection;
    this.taskId = taskId;
    this.partition = taskId.partition();
    this.refusedValues = new RefusedValues<>(config, projection, partition);
    this.committed = checkpoint;
  }

  /**
   * Writes the batch, retrying connection loss, serialization failures, deadlocks and a server
   * going away; returns the rows it changed. Throws a {@link ReplayException} when the task must
   * replay instead.
   */
  long write(PendingBatch<E> pending) {
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      try {
        return writeOnce(pending);
      } catch (SQLException e) {
        if (attempt >= MAX_ATTEMPTS || !transientFailure(e)) {
          throw new ReplayException(taskId, "cannot write a batch of " + pending.handled
              + " records to the read model: " + e.getMessage(), e);
        }
        log.warn("{}: writing a batch failed ({}: {}); retrying in {} ms", taskId, e.getSQLState(), e.getMessage(),
            backoff.toMillis());
        Pause.of(backoff);
        backoff = backoff.multipliedBy(2);
      }
    }
  }

  /** Connection trouble, a serialization failure, a deadlock, a server going away: worth another try. */
  static boolean transientFailure(SQLException e) {
    if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
      return true;
    }
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.equals("40001") || state.equals("40P01")
        || state.startsWith("57P") || state.equals("53300"));
  }

  private long writeOnce(PendingBatch<E> pending) throws SQLException {
    List<Entry<E>> accepted;
    try (Connection connection = config.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try {
        ProjectionTables.searchPath(connection, config.schema());
        ProjectionTables.Snapshot snapshot = ProjectionTables.snapshot(connection, config.projection(),
            config.eventsTopic(), partition, pending.aggregates(), pending.keys(), pending.firstOffset,
            pending.lastOffset);
        if (snapshot.checkpoint() < committed) {
          String why = "the read model went back: partition " + partition + " was applied up to offset " + committed
              + ", the database now says " + snapshot.checkpoint() + " (a crash without durable commits, a restored"
              + " backup); the projection resumes from the database's checkpoints";
          config.health().rewound(config.schema(), partition, snapshot.checkpoint() + 1, why);
          throw new ReplayException(taskId, why, null);
        }
        staleness(pending, snapshot).ifPresent(why -> {
          throw new ReplayException(taskId, why + "; replaying from the last committed offset", null);
        });
        Classified<E> classified = classify(pending, snapshot);
        if (!classified.faults().isEmpty()) {
          connection.rollback();
          throw parkAndReplay(classified.faults(), "the log breaks their history");
        }
        accepted = classified.accepted();
        long rows;
        try {
          rows = accepted.isEmpty() ? 0 : PendingBatch.batchOf(projection, accepted).write(connection);
        } catch (SQLException e) {
          if (!RefusedValues.refusedValue(e)) {
            throw e;
          }
          connection.rollback();
          List<ProjectionTables.Parking> refused = refusedValues.isolate(accepted);
          if (refused.isEmpty()) {
            throw e;
          }
          throw parkAndReplay(refused, "the database refused their values");
        }
        rows += ProjectionTables.park(connection, config.projection(), config.eventsTopic(), config.applicationId(),
            pending.parkings);
        ProjectionTables.finish(connection, config.projection(), config.eventsTopic(), partition,
            classified.applied(), pending.lastOffset, pending.lastTimestamp, config.notifyChannel());
        connection.commit();
        committed = Math.max(snapshot.checkpoint(), pending.lastOffset);
        config.metrics().duplicates(classified.duplicates());
        return rows;
      } catch (SQLException | RuntimeException e) {
        if (!connection.isClosed() && !connection.getAutoCommit()) {
          connection.rollback();
        }
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    }
  }

  /** Why what the task decided while processing no longer holds, if it does not. */
  private Optional<String> staleness(PendingBatch<E> pending, ProjectionTables.Snapshot snapshot) {
    Set<String> parkedNow = new HashSet<>();
    pending.parkings.forEach(parking -> parkedNow.add(parking.key()));
    for (String key : pending.heldBack) {
      if (!snapshot.parked().containsKey(key) && !parkedNow.contains(key)) {
        return Optional.of("key " + key + " was held back but is no longer parked (re-driven)");
      }
    }
    for (Entry<E> entry : pending.entries) {
      Long parkedAt = snapshot.parked().get(entry.key());
      if (entry.offset() > snapshot.checkpoint() && parkedAt != null && entry.offset() >= parkedAt) {
        return Optional.of("key " + entry.key() + " is parked from offset " + parkedAt + " by another writer");
      }
    }
    for (long offset : snapshot.skipped()) {
      if (offset > snapshot.checkpoint() && !pending.skipped.contains(offset)) {
        return Optional.of("record " + partition + "@" + offset + " was skipped by an operator");
      }
    }
    return Optional.empty();
  }

  /** The batch's verdicts: what to apply, how many duplicates, which keys to park. */
  private record Classified<E>(List<Entry<E>> accepted, Map<UUID, EventIdentity> applied, long duplicates,
      List<ProjectionTables.Parking> faults) {
  }

  private Classified<E> classify(PendingBatch<E> pending, ProjectionTables.Snapshot snapshot) {
    Map<UUID, VersionGate.Held> held = new HashMap<>(snapshot.held());
    Map<UUID, ProjectionTables.Parking> faults = new LinkedHashMap<>();
    Map<UUID, EventIdentity> applied = new HashMap<>();
    List<Entry<E>> accepted = new ArrayList<>(pending.entries.size());
    long duplicates = 0;
    for (Entry<E> entry : pending.entries) {
      UUID aggregate = entry.identity().aggregateId();
      if (entry.offset() <= snapshot.checkpoint() || faults.containsKey(aggregate)) {
        continue;
      }
      switch (VersionGate.judge(held.getOrDefault(aggregate, VersionGate.Held.NOTHING), entry.identity())) {
        case VersionGate.Apply apply -> {
          accepted.add(entry);
          held.put(aggregate, VersionGate.Held.of(entry.identity()));
          applied.put(aggregate, entry.identity());
        }
        case VersionGate.Duplicate duplicate -> duplicates++;
        case VersionGate.Fault fault -> faults.put(aggregate,
            new ProjectionTables.Parking(entry.key(), partition, entry.offset(), fault.message()));
      }
    }
    return new Classified<>(accepted, applied, duplicates, List.copyOf(faults.values()));
  }

  /**
   * Parks keys in a transaction of their own; returns the failure that makes the task replay from
   * its last committed offset, sending each parked record to the dead-letter topic as it comes by.
   */
  private ReplayException parkAndReplay(List<ProjectionTables.Parking> parkings, String why) throws SQLException {
    try (Connection connection = config.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      ProjectionTables.searchPath(connection, config.schema());
      ProjectionTables.park(connection, config.projection(), config.eventsTopic(), config.applicationId(), parkings);
      connection.commit();
    }
    for (ProjectionTables.Parking parking : parkings) {
      log.warn("{}: parked key {} at offset {}: {}", taskId, parking.key(), parking.offset(), parking.reason());
      config.metrics().fault(DeadLetters.Reason.of(parking.reason()));
    }
    return new ReplayException(taskId, "parked " + parkings.size() + " key(s), " + why
        + "; replaying from the last committed offset", null);
  }
}
