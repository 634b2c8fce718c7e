package dev.tally.runtime.projection;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task of a projection (one partition of its events topic), as its processor sees it: what it
 * handled since its last write, and what it knows from the database, on the stream thread.
 *
 * <p>It keeps no state of its own across restarts. When the task starts it reads its checkpoint,
 * its parked keys and the records operators skipped; records at or below the checkpoint are a
 * replay and are not applied again. If Kafka resumes the task beyond the checkpoint with records in
 * between, the read model lost work that Kafka's group has passed: the task fails and reports the
 * read model rewound.
 *
 * <p>Every handled record's offset becomes part of the next checkpoint. A batch that fills up
 * between two commits ({@code maxBatchEvents}) goes to the task's {@link BatchWriter} at once, and
 * the stream thread goes on into a fresh one; {@link #write()} hands over the rest and waits until
 * everything handled so far is committed in PostgreSQL.
 */
final class ProjectionTask<E> {

  private static final Logger log = LoggerFactory.getLogger(ProjectionTask.class);
  private static final Duration RESUME_CHECK_PATIENCE = Duration.ofSeconds(10);

  private final String storeName;
  private final ProjectorTopologyConfig config;
  private final Projection<E> projection;
  private final Map<String, ProjectionTables.ParkedKey> parked = new HashMap<>();
  private PendingBatch<E> buffer = new PendingBatch<>();
  private Set<Long> skipped = Set.of();
  private TaskId taskId;
  private int partition;
  /** Records at or below it were applied before this task started. */
  private long checkpointAtStart = -1;
  private boolean resumeChecked;
  private BatchWriter<E> writer;

  ProjectionTask(String storeName, ProjectorTopologyConfig config, Projection<E> projection) {
    this.storeName = storeName;
    this.config = config;
    this.projection = projection;
  }

  /** Starts (or restarts) the task: forgets what it handled and reads where the database stands. */
  void open(TaskId taskId) {
    this.taskId = taskId;
    this.partition = taskId.partition();
    discard();
    ProjectionTables.TaskState state;
    try (Connection connection = config.dataSource().getConnection()) {
      state = ProjectionTables.load(connection, config.schema(), config.projection(), config.eventsTopic(), partition);
    } catch (SQLException e) {
      throw new StreamsException(taskId + ": cannot read the state of " + config.projection() + " partition "
          + partition + " in " + config.schema(), e, taskId);
    }
    writer = new BatchWriter<>(storeName, taskId, new BatchTransaction<>(config, projection, taskId,
        state.checkpoint()), config.metrics());
    checkpointAtStart = state.checkpoint();
    resumeChecked = false;
    parked.clear();
    parked.putAll(state.parked());
    skipped = state.skipped();
    if (!parked.isEmpty()) {
      log.warn("{} partition {}: {} parked keys; their records go to the dead-letter topic until re-driven",
          config.projection(), partition, parked.size());
    }
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
        Pause.of(config.health().rewound(config.schema(), partition, offset, why));
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
    buffer.entries.add(new PendingBatch.Entry<>(source.offset(), key, event, projection.identity(event)));
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

  private void handled(RecordMetadata source, long timestamp) {
    buffer.handled(source.offset(), timestamp);
    if (buffer.handled >= config.maxBatchEvents()) {
      writeInBackground();
    }
  }

  /** Writes everything handled so far and waits until it is committed (after any batch still being written). */
  void write() {
    writeInBackground();
    writer.awaitWritten();
  }

  /**
   * Hands the buffered batch to the writer and starts a new one. A failed earlier write throws
   * first, and keeps what the task handled since.
   */
  private void writeInBackground() {
    writer.awaitWritten();
    if (buffer.handled == 0) {
      return;
    }
    PendingBatch<E> pending = buffer;
    buffer = new PendingBatch<>();
    writer.submit(pending);
  }

  /** Forgets what was handled and not written: it is replayed from the last committed offsets. */
  void discard() {
    buffer = new PendingBatch<>();
  }

  void close() {
    if (buffer.handled > 0) {
      log.info("{}: closing with {} unwritten records; they are replayed from the last committed offsets", taskId,
          buffer.handled);
    }
    discard();
    if (writer != null) {
      writer.close();
    }
  }
}
