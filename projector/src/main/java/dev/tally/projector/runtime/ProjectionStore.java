package dev.tally.projector.runtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge between a Kafka Streams task and PostgreSQL: buffers one task's changes and writes
 * them, with the task's applied offsets, in one database transaction, <em>before</em> Kafka
 * Streams commits the task's input offsets.
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
 * decoding into a fresh batch: PostgreSQL and the JVM work at the same time. At most one batch per
 * task is in flight, batches of a task are written in order, and {@code flushCache()} waits for
 * all of them. A failed write fails the store for good: every later commit of the task throws, so
 * no offset past the lost batch is ever committed; Kafka Streams then closes the task and replays
 * from its last committed offset.
 *
 * <p>The store keeps no state of its own across restarts: no changelog, nothing on disk. After a
 * crash, Kafka Streams resumes from its last committed offsets, which are never ahead of what the
 * database holds, and replays at most the events of the last interrupted batch; the batch writes
 * are idempotent, so that replay is harmless.
 *
 * <p>It also keeps the task's parked keys: keys with an earlier event in the dead-letter topic,
 * whose later events are held back to keep each key's order.
 */
public final class ProjectionStore<B extends ProjectionBatch> implements StateStore, CachedStateStore<Object, Object> {

  private static final Logger log = LoggerFactory.getLogger(ProjectionStore.class);
  private static final int MAX_ATTEMPTS = 6;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

  private final String name;
  private final ProjectorTopologyConfig config;
  private final Supplier<B> batches;

  private B batch;
  private int handled;
  private Map<Integer, Position> positions = new TreeMap<>();
  private final Map<String, Long> parked = new HashMap<>();
  private List<Parking> newlyParked = new ArrayList<>();
  private String taskId = "?";
  private volatile boolean open;
  private ExecutorService writer;
  private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
  private RuntimeException failure;

  ProjectionStore(String name, ProjectorTopologyConfig config, Supplier<B> batches) {
    this.name = name;
    this.config = config;
    this.batches = batches;
  }

  /** A builder Kafka Streams calls once per task. */
  public static <B extends ProjectionBatch> ProjectionStoreBuilder<B> builder(String name, ProjectorTopologyConfig config,
      Supplier<B> batches) {
    return new ProjectionStoreBuilder<>(name, config, batches);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    this.taskId = context.taskId().toString();
    discard();
    failure = null;
    inFlight = CompletableFuture.completedFuture(null);
    writer = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("projection-writer-" + name + "-" + taskId)
        .daemon().factory());
    parked.clear();
    parked.putAll(loadParkedKeys(context.taskId().partition()));
    context.register(root, (key, value) -> {
      throw new IllegalStateException("projection store " + name + " has no changelog to restore from");
    });
    open = true;
  }

  /** The batch that events of the record being processed go into. */
  public B batch() {
    return batch;
  }

  /**
   * Records that the current record has been handled (applied, or sent to the dead-letter topic):
   * its offset becomes part of the next checkpoint. A full batch goes to the writer thread at once.
   */
  public void handled(RecordMetadata source, long timestamp) {
    positions.put(source.partition(), new Position(source.topic(), source.offset(), timestamp));
    handled++;
    if (handled >= config.maxBatchEvents()) {
      writeInBackground();
    }
  }

  /** The offset of the record that parked this key, if it is parked and the record is after it. */
  public Long parkedBy(String key, long offset) {
    Long parkedAt = parked.get(key);
    return parkedAt != null && offset > parkedAt ? parkedAt : null;
  }

  /** Holds back every later event of this key (persisted with the next batch). */
  public void park(String key, RecordMetadata source, String reason) {
    if (parked.putIfAbsent(key, source.offset()) == null) {
      newlyParked.add(new Parking(key, source.partition(), source.offset(), reason));
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
    if (handled > 0) {
      log.info("{}: closing with {} unwritten events; they are replayed from the last committed offsets", taskId, handled);
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

  /**
   * Writes everything handled so far and waits until it is committed: the buffered batch, its
   * checkpoint and its parked keys in one transaction (after any batch still being written).
   */
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
    if (handled == 0) {
      return;
    }
    Pending pending = new Pending(batch, handled, positions, newlyParked);
    batch = batches.get();
    handled = 0;
    positions = new TreeMap<>();
    newlyParked = new ArrayList<>();
    inFlight = CompletableFuture.runAsync(() -> {
      long started = System.nanoTime();
      long rows = writeWithRetries(pending);
      config.metrics().batchWritten(pending.handled(), rows, System.nanoTime() - started);
      log.debug("{}: wrote {} events ({} rows) in {} µs", taskId, pending.handled(), rows,
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
          : new StreamsException(taskId + ": writing a batch failed", e.getCause());
      throw failure;
    }
  }

  private void discard() {
    batch = batches.get();
    handled = 0;
    positions = new TreeMap<>();
    newlyParked = new ArrayList<>();
  }

  private long writeWithRetries(Pending pending) {
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      try {
        return writeOnce(pending);
      } catch (SQLException e) {
        if (attempt >= MAX_ATTEMPTS || !transientFailure(e)) {
          throw new StreamsException(taskId + ": cannot write a batch of " + pending.handled()
              + " events to the read model", e);
        }
        log.warn("{}: writing a batch failed ({}: {}); retrying in {} ms", taskId, e.getSQLState(), e.getMessage(), backoff.toMillis());
        pause(backoff);
        backoff = backoff.multipliedBy(2);
      }
    }
  }

  private long writeOnce(Pending pending) throws SQLException {
    try (Connection connection = config.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try {
        try (Statement statement = connection.createStatement()) {
          statement.execute("SET LOCAL search_path TO " + config.schema());
        }
        long rows = pending.batch().isEmpty() ? 0 : pending.batch().write(connection);
        rows += saveParkedKeys(connection, pending.parked());
        saveCheckpoints(connection, pending.positions());
        notifyReaders(connection, pending.positions());
        connection.commit();
        return rows;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    }
  }

  private void saveCheckpoints(Connection connection, Map<Integer, Position> positions) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("""
        INSERT INTO projection_checkpoints (projection, topic, partition, applied_offset, last_event_timestamp, updated_at)
        VALUES (?, ?, ?, ?, ?, now())
        ON CONFLICT (projection, topic, partition) DO UPDATE
          SET applied_offset = EXCLUDED.applied_offset,
              last_event_timestamp = EXCLUDED.last_event_timestamp,
              updated_at = EXCLUDED.updated_at
          WHERE projection_checkpoints.applied_offset < EXCLUDED.applied_offset""")) {
      for (Map.Entry<Integer, Position> entry : positions.entrySet()) {
        Position position = entry.getValue();
        statement.setString(1, config.projection());
        statement.setString(2, position.topic());
        statement.setInt(3, entry.getKey());
        statement.setLong(4, position.offset());
        statement.setTimestamp(5, Timestamp.from(Instant.ofEpochMilli(Math.max(0, position.timestamp()))));
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }

  private long saveParkedKeys(Connection connection, List<Parking> newlyParked) throws SQLException {
    if (newlyParked.isEmpty()) {
      return 0;
    }
    try (PreparedStatement statement = connection.prepareStatement("""
        INSERT INTO parked_keys (projection, topic, record_key, partition, parked_offset, reason, parked_at)
        VALUES (?, ?, ?, ?, ?, ?, now())
        ON CONFLICT (projection, topic, record_key) DO NOTHING""")) {
      for (Parking parking : newlyParked) {
        statement.setString(1, config.projection());
        statement.setString(2, config.eventsTopic());
        statement.setString(3, parking.key());
        statement.setInt(4, parking.partition());
        statement.setLong(5, parking.offset());
        statement.setString(6, parking.reason());
        statement.addBatch();
      }
      long rows = 0;
      for (int count : statement.executeBatch()) {
        rows += Math.max(count, 0);
      }
      return rows;
    }
  }

  private void notifyReaders(Connection connection, Map<Integer, Position> positions) throws SQLException {
    StringBuilder payload = new StringBuilder(config.projection());
    positions.forEach((partition, position) -> payload.append(' ').append(partition).append(':').append(position.offset()));
    try (PreparedStatement statement = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
      statement.setString(1, config.notifyChannel());
      statement.setString(2, payload.length() > 7000 ? config.projection() : payload.toString());
      statement.execute();
    }
  }

  private Map<String, Long> loadParkedKeys(int partition) {
    Map<String, Long> keys = new HashMap<>();
    try (Connection connection = config.dataSource().getConnection();
         PreparedStatement statement = connection.prepareStatement(
             "SELECT record_key, parked_offset FROM " + config.schema() + ".parked_keys"
                 + " WHERE projection = ? AND topic = ? AND partition = ?")) {
      statement.setString(1, config.projection());
      statement.setString(2, config.eventsTopic());
      statement.setInt(3, partition);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          keys.put(rows.getString(1), rows.getLong(2));
        }
      }
    } catch (SQLException e) {
      throw new StreamsException("cannot read the parked keys of " + config.projection() + " partition " + partition, e);
    }
    if (!keys.isEmpty()) {
      log.warn("{} partition {}: {} parked keys; their events go to the dead-letter topic until re-driven",
          config.projection(), partition, keys.size());
    }
    return keys;
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

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StreamsException("interrupted while waiting to retry a batch write", e);
    }
  }

  private record Position(String topic, long offset, long timestamp) {
  }

  /** A batch handed to the writer thread, with the offsets and parked keys it covers. */
  private record Pending(ProjectionBatch batch, int handled, Map<Integer, Position> positions, List<Parking> parked) {
  }

  private record Parking(String key, int partition, long offset, String reason) {
  }
}
