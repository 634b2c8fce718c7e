package dev.tally.runtime.projection;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge between a Kafka Streams task and PostgreSQL: buffers one task's events and writes
 * them, with the task's applied offset, in one database transaction, <em>before</em> Kafka Streams
 * commits the task's input offsets.
 *
 * <p><b>Why this is a state store, and why {@link CachedStateStore}.</b> In Kafka Streams 4.2 a
 * task commit runs {@code StreamTask.prepareCommit()}, which calls
 * {@code ProcessorStateManager.flushCache()}: it invokes {@link CachedStateStore#flushCache()} on
 * every registered store that implements it, then flushes the record collector; only then does the
 * thread commit the consumed offsets (or the transaction, under exactly-once). The public
 * {@link StateStore#flush()} is called later, from {@code postCommit} when a checkpoint is due, so
 * after the offsets are committed: writing there could commit offsets for rows that are not in the
 * database yet. {@code flushCache()} is therefore the write hook; {@code flush()} writes too, as a
 * harmless second chance (the buffer is already empty by then). See ADR 0009.
 *
 * <p><b>Writing while processing.</b> A batch that fills up between two commits
 * ({@code maxBatchEvents}) is handed to the task's writer thread, and the stream thread goes on
 * decoding into a fresh one: PostgreSQL and the JVM work at the same time. At most one batch per
 * task is in flight, batches of a task are written in order, and {@code flushCache()} waits for
 * all of them. A failed write fails the store for good: every later commit of the task throws, so
 * no offset past the lost batch is ever committed; Kafka Streams then closes the task and replays
 * from its last committed offset.
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
 * <p><b>A value the database refuses</b> (a data exception: SQL state class 22 or 23, such as a
 * time out of PostgreSQL's range) is looked for among the batch's aggregates by halving, each try
 * under a savepoint, then among the events of the one found; that event's key is parked
 * ({@code refused}) and the rest of the partition goes on. Any other error fails the task as above.
 *
 * <p>The store keeps no state of its own across restarts: no changelog, nothing on disk. When a
 * task starts it reads its checkpoint, its parked keys and the records operators skipped; records
 * at or below the checkpoint are a replay and are not applied again. If Kafka resumes the task
 * beyond the checkpoint with records in between, the read model lost work that Kafka's group has
 * passed: the task fails and reports the read model rewound.
 */
public final class ProjectionStore<E> implements StateStore, CachedStateStore<Object, Object> {

  private static final Logger log = LoggerFactory.getLogger(ProjectionStore.class);
  private static final int MAX_ATTEMPTS = 6;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration RESUME_CHECK_PATIENCE = Duration.ofSeconds(10);

  private final String name;
  private final ProjectorTopologyConfig config;
  private final Projection<E> projection;

  private Buffer<E> buffer = new Buffer<>();
  private final Map<String, ProjectionTables.ParkedKey> parked = new HashMap<>();
  private Set<Long> skipped = Set.of();
  private TaskId taskId;
  private int partition;
  /** Records at or below it were applied before this task started. */
  private long checkpointAtStart = -1;
  private boolean resumeChecked;
  /** The checkpoint this task knows the database holds: never more than it (written by the writer thread). */
  private volatile long committed = -1;
  private volatile boolean open;
  private ExecutorService writer;
  private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
  private RuntimeException failure;

  ProjectionStore(String name, ProjectorTopologyConfig config, Projection<E> projection) {
    this.name = name;
    this.config = config;
    this.projection = projection;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    this.taskId = context.taskId();
    this.partition = taskId.partition();
    discard();
    failure = null;
    inFlight = CompletableFuture.completedFuture(null);
    writer = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("projection-writer-" + name + "-" + taskId)
        .daemon().factory());
    ProjectionTables.TaskState state;
    try (Connection connection = config.dataSource().getConnection()) {
      state = ProjectionTables.load(connection, config.schema(), config.projection(), config.eventsTopic(), partition);
    } catch (SQLException e) {
      throw new StreamsException(taskId + ": cannot read the state of " + config.projection() + " partition "
          + partition + " in " + config.schema(), e, taskId);
    }
    checkpointAtStart = state.checkpoint();
    committed = state.checkpoint();
    resumeChecked = false;
    parked.clear();
    parked.putAll(state.parked());
    skipped = state.skipped();
    if (!parked.isEmpty()) {
      log.warn("{} partition {}: {} parked keys; their records go to the dead-letter topic until re-driven",
          config.projection(), partition, parked.size());
    }
    context.register(root, (key, value) -> {
      throw new IllegalStateException("projection store " + name + " has no changelog to restore from");
    });
    open = true;
  }

  /**
   * Checks, once per task start, that Kafka resumes the partition where the read model stopped: a
   * first record beyond the checkpoint + 1 with committed records in between (not only
   * transaction markers) means the database lost work Kafka's group has passed.
   */
  void checkResume(long offset) {
    if (resumeChecked) {
      return;
    }
    if (offset > checkpointAtStart + 1) {
      Optional<ConsumerRecord<byte[], byte[]>> missed;
      try (LogReader reader = new LogReader(config.bootstrapServers(), "tally-" + config.projection() + "-resume-check",
          RESUME_CHECK_PATIENCE)) {
        missed = reader.first(new TopicPartition(config.eventsTopic(), partition), checkpointAtStart + 1, offset);
      } catch (TimeoutException e) {
        throw new ReplayException(taskId, "cannot check where the read model stopped: " + e.getMessage(), e);
      }
      if (missed.isPresent()) {
        String why = "the read model holds partition " + partition + " up to offset " + checkpointAtStart
            + " but its application resumes at offset " + offset + ", past record " + missed.get().offset()
            + ": the database lost applied records (a crash without durable commits, a restored backup) or is a"
            + " new one; the projection resumes from the database's checkpoints";
        pause(config.health().rewound(config.schema(), partition, offset, why));
        throw new ReplayException(taskId, why, null);
      }
    }
    config.health().resumed(config.schema(), partition);
    resumeChecked = true;
  }

  /** Whether the record at this offset was applied before this task started: a replay. */
  boolean applied(long offset) {
    return offset <= checkpointAtStart;
  }

  /** Whether an operator chose to pass over the record at this offset. */
  boolean skipped(long offset) {
    return skipped.contains(offset);
  }

  /** Why this key is parked, if it is. */
  ProjectionTables.ParkedKey parking(String key) {
    return parked.get(key);
  }

  /** Buffers an event to apply. */
  void add(RecordMetadata source, long timestamp, String key, E event) {
    buffer.entries.add(new Entry<>(source.offset(), key, event, projection.identity(event)));
    handled(source, timestamp);
  }

  /** A record sent to the dead-letter topic: it is handled, nothing to apply. */
  void deadLettered(RecordMetadata source, long timestamp) {
    handled(source, timestamp);
  }

  /** A record held back because its key is parked; checked to be still parked when the batch is written. */
  void heldBack(String key, RecordMetadata source, long timestamp) {
    buffer.heldBack.add(key);
    handled(source, timestamp);
  }

  /** A record passed over as an operator asked. */
  void skip(RecordMetadata source, long timestamp) {
    buffer.skipped.add(source.offset());
    config.metrics().skipped();
    handled(source, timestamp);
  }

  /** Parks a key from this record on (persisted with the batch); later records of the key are held back. */
  void park(String key, RecordMetadata source, long timestamp, String reason) {
    if (!parked.containsKey(key)) {
      ProjectionTables.Parking parking = new ProjectionTables.Parking(key, source.partition(), source.offset(), reason);
      buffer.parkings.add(parking);
      parked.put(key, new ProjectionTables.ParkedKey(config.projection(), config.eventsTopic(), key, source.partition(),
          source.offset(), DeadLetters.Reason.of(reason).label(), reason, Instant.now(), config.applicationId()));
    }
    handled(source, timestamp);
  }

  /**
   * Records that the current record has been handled: its offset becomes part of the next
   * checkpoint. A full batch goes to the writer thread at once.
   */
  private void handled(RecordMetadata source, long timestamp) {
    Buffer<E> current = buffer;
    if (current.handled == 0) {
      current.firstOffset = source.offset();
    }
    current.lastOffset = source.offset();
    current.lastTimestamp = timestamp;
    current.handled++;
    if (current.handled >= config.maxBatchEvents()) {
      writeInBackground();
    }
  }

  /**
   * Kafka Streams' pre-commit hook: returns only once everything handled so far is committed in
   * PostgreSQL, so the offsets Kafka Streams commits next are covered by the database.
   */
  @Override
  public void flushCache() {
    write();
  }

  @Override
  public void flush() {
    write();
  }

  @Override
  public void clearCache() {
    discard();
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
    return false;
  }

  @Override
  public void close() {
    if (buffer.handled > 0) {
      log.info("{}: closing with {} unwritten records; they are replayed from the last committed offsets", taskId,
          buffer.handled);
    }
    discard();
    if (writer != null) {
      writer.shutdown();
      writer = null;
    }
    open = false;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  /** Writes everything handled so far and waits until it is committed (after any batch still being written). */
  public void write() {
    writeInBackground();
    awaitInFlight();
  }

  /**
   * Hands the buffered batch to this task's writer thread and starts a new one, so that the stream
   * thread decodes the next events while PostgreSQL applies these. At most one batch is in flight:
   * this first waits for the previous one. Batches of a task are written one after the other, in
   * order.
   */
  private void writeInBackground() {
    awaitInFlight();
    if (buffer.handled == 0) {
      return;
    }
    Buffer<E> pending = buffer;
    buffer = new Buffer<>();
    inFlight = CompletableFuture.runAsync(() -> {
      long started = System.nanoTime();
      long rows = writeWithRetries(pending);
      config.metrics().batchWritten(pending.handled, rows, System.nanoTime() - started);
      log.debug("{}: wrote {} records ({} rows) in {} µs", taskId, pending.handled, rows,
          (System.nanoTime() - started) / 1000);
    }, writer);
  }

  /**
   * Waits for the batch in flight. A failed write fails this store for good (until Kafka Streams
   * re-initialises it, after closing the task dirty): no later commit may pretend it was written.
   */
  private void awaitInFlight() {
    if (failure != null) {
      throw failure;
    }
    try {
      inFlight.join();
    } catch (CompletionException e) {
      failure = e.getCause() instanceof StreamsException streams ? streams
          : new ReplayException(taskId, "writing a batch failed: " + e.getCause(), e.getCause());
      throw failure;
    }
  }

  private void discard() {
    buffer = new Buffer<>();
  }

  private long writeWithRetries(Buffer<E> pending) {
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
        pause(backoff);
        backoff = backoff.multipliedBy(2);
      }
    }
  }

  private long writeOnce(Buffer<E> pending) throws SQLException {
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
        Classified classified = classify(pending, snapshot);
        if (!classified.faults().isEmpty()) {
          connection.rollback();
          throw parkAndReplay(classified.faults(), "the log breaks their history");
        }
        accepted = classified.accepted();
        long rows;
        try {
          rows = accepted.isEmpty() ? 0 : batchOf(accepted).write(connection);
        } catch (SQLException e) {
          if (!refusedValue(e)) {
            throw e;
          }
          connection.rollback();
          List<ProjectionTables.Parking> refused = isolate(accepted);
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
  private Optional<String> staleness(Buffer<E> pending, ProjectionTables.Snapshot snapshot) {
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

  private Classified<E> classify(Buffer<E> pending, ProjectionTables.Snapshot snapshot) {
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

  /**
   * The events whose values the database refuses: the aggregates that fail alone, found by halving
   * (each try under a savepoint, rolled back), then in each the first event whose addition fails.
   * Nothing when every aggregate fails alone: that is the database, not the data.
   */
  private List<ProjectionTables.Parking> isolate(List<Entry<E>> accepted) throws SQLException {
    Map<UUID, List<Entry<E>>> byAggregate = new LinkedHashMap<>();
    accepted.forEach(entry -> byAggregate.computeIfAbsent(entry.identity().aggregateId(), id -> new ArrayList<>())
        .add(entry));
    List<ProjectionTables.Parking> refused = new ArrayList<>();
    try (Connection connection = config.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try {
        ProjectionTables.searchPath(connection, config.schema());
        List<List<Entry<E>>> failing = new ArrayList<>();
        halve(connection, new ArrayList<>(byAggregate.values()), failing);
        if (failing.size() == byAggregate.size() && failing.size() > 1) {
          return List.of();
        }
        for (List<Entry<E>> events : failing) {
          for (int length = 1; length <= events.size(); length++) {
            Optional<SQLException> error = refusal(connection, events.subList(0, length));
            if (error.isPresent()) {
              Entry<E> culprit = events.get(length - 1);
              refused.add(new ProjectionTables.Parking(culprit.key(), partition, culprit.offset(),
                  DeadLetters.Reason.REFUSED.label() + ": SQL state " + error.get().getSQLState() + ": "
                      + DeadLetters.truncate(String.valueOf(error.get().getMessage()).lines().findFirst().orElse(""))));
              break;
            }
          }
        }
      } finally {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    }
    return refused;
  }

  private void halve(Connection connection, List<List<Entry<E>>> aggregates, List<List<Entry<E>>> failing)
      throws SQLException {
    if (refusal(connection, aggregates.stream().flatMap(List::stream).toList()).isEmpty()) {
      return;
    }
    if (aggregates.size() == 1) {
      failing.add(aggregates.getFirst());
      return;
    }
    int half = aggregates.size() / 2;
    halve(connection, aggregates.subList(0, half), failing);
    halve(connection, aggregates.subList(half, aggregates.size()), failing);
  }

  /** The error the database gives these events alone, if a refusal of their values; rolled back either way. */
  private Optional<SQLException> refusal(Connection connection, List<Entry<E>> entries) throws SQLException {
    Savepoint savepoint = connection.setSavepoint();
    try {
      batchOf(entries).write(connection);
      return Optional.empty();
    } catch (SQLException e) {
      if (refusedValue(e)) {
        return Optional.of(e);
      }
      throw e;
    } finally {
      connection.rollback(savepoint);
    }
  }

  private ProjectionBatch<E> batchOf(List<Entry<E>> entries) {
    ProjectionBatch<E> batch = projection.newBatch();
    entries.forEach(entry -> batch.add(entry.event()));
    return batch;
  }

  /** A data exception (class 22) or an integrity violation (class 23): the values, not the database. */
  static boolean refusedValue(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("23"));
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

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StreamsException("interrupted while pausing", e);
    }
  }

  /** An event to apply, where it came from and whose it is. */
  private record Entry<E>(long offset, String key, E event, EventIdentity identity) {
  }

  /** What a task handled since its last write: events to apply, keys held back or parked, records skipped. */
  private static final class Buffer<E> {
    final List<Entry<E>> entries = new ArrayList<>();
    final Set<String> heldBack = new HashSet<>();
    final List<ProjectionTables.Parking> parkings = new ArrayList<>();
    final Set<Long> skipped = new HashSet<>();
    int handled;
    long firstOffset = -1;
    long lastOffset = -1;
    long lastTimestamp;

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
  }
}
