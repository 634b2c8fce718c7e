package dev.tally.runtime.projection;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads each record with its projection and hands the event to its task ({@link ProjectionTask}), or
 * sends the record to the dead-letter topic, keeping every key's order.
 *
 * <p>A record the projection rejects (poison) parks its key: every later record of that key in
 * this partition goes to the dead-letter topic too ({@code parked}), in order, until the key is
 * re-driven, so an aggregate is never shown with an event missing from the middle of its history.
 * Other keys go on. A key parked when its batch was written (a gap, a conflict, a value the
 * database refused) is parked from a record the task replays: that record goes to the dead-letter
 * topic with the parking's reason, the later ones as {@code parked}.
 *
 * <p>A record written with a schema this reader does not know is not poison: the task stops there,
 * pausing longer each time it is retried, and the projection's health says why, until a newer
 * reader is deployed.
 */
final class ProjectionProcessor<E> implements Processor<byte[], byte[], byte[], byte[]> {

  private static final Logger log = LoggerFactory.getLogger(ProjectionProcessor.class);

  private final ProjectorTopologyConfig config;
  private final Projection<E> projection;
  private final String storeName;
  private final String deadLetters;
  private ProcessorContext<byte[], byte[]> context;
  private ProjectionTask<E> task;

  ProjectionProcessor(ProjectorTopologyConfig config, Projection<E> projection, String storeName, String deadLetters) {
    this.config = config;
    this.projection = projection;
    this.storeName = storeName;
    this.deadLetters = deadLetters;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.task = context.<ProjectionStore<E>>getStateStore(storeName).task();
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    long offset = source.offset();
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    task.checkResume(offset);
    ProjectionTables.ParkedKey parking = key == null ? null : task.parking(key);
    if (task.applied(offset)) {
      // A replay of what the database holds; only dead letters are sent again (they are at least once).
      if (parking != null && offset >= parking.offset()) {
        deadLetterParked(record, source, parking);
      }
      return;
    }
    if (task.skipped(offset)) {
      task.skip(source, record.timestamp());
    } else if (parking != null && offset >= parking.offset()) {
      deadLetterParked(record, source, parking);
      if (offset > parking.offset()) {
        task.heldBack(key, source, record.timestamp());
      } else {
        task.deadLettered(source, record.timestamp());
      }
    } else {
      read(record, source, key);
    }
  }

  private void read(Record<byte[], byte[]> record, RecordMetadata source, String key) {
    E event;
    try {
      event = projection.read(key, record.value());
    } catch (RejectedRecordException e) {
      log.warn("{}-{}@{}: {} record for key {} goes to the dead-letter topic and parks the key: {}",
          source.topic(), source.partition(), source.offset(), e.reason().label(), key, e.getMessage());
      deadLetter(record, source, e.reason(), e.origin().getClass().getName(), e.getMessage(), null);
      if (key == null) {
        task.deadLettered(source, record.timestamp());
      } else {
        task.park(key, source, record.timestamp(),
            e.reason().label() + ": " + e.origin().getClass().getSimpleName() + ": " + e.getMessage());
      }
      return;
    } catch (ReaderTooOldException e) {
      throw stall(source, e);
    }
    config.health().progressed(config.schema(), source.partition());
    task.add(source, record.timestamp(), key, event);
  }

  /** Stops the task at a record this reader cannot read yet: after a pause, it is replayed from its last commit. */
  private ReplayException stall(RecordMetadata source, ReaderTooOldException e) {
    Duration pause = config.health().stalled(config.schema(), source.partition(), source.offset(), e.getMessage());
    config.metrics().stalled();
    log.error("{}-{}@{}: {}; this projector is older than the writer: deploy the newer one (readers first)."
        + " Retrying in {} ms", source.topic(), source.partition(), source.offset(), e.getMessage(), pause.toMillis());
    Pause.of(pause);
    return new ReplayException(context.taskId(), source.topic() + "-" + source.partition() + "@" + source.offset()
        + ": " + e.getMessage() + " (a reader older than the writer; not parked, retried)", e);
  }

  private void deadLetterParked(Record<byte[], byte[]> record, RecordMetadata source,
      ProjectionTables.ParkedKey parking) {
    if (source.offset() == parking.offset()) {
      deadLetter(record, source, DeadLetters.Reason.of(parking.reason()), null, parking.reason(), null);
    } else {
      deadLetter(record, source, DeadLetters.Reason.PARKED, null, null, parking.offset());
    }
  }

  private void deadLetter(Record<byte[], byte[]> record, RecordMetadata source, DeadLetters.Reason reason,
      String exceptionClass, String message, Long parkedBy) {
    context.forward(record.withHeaders(DeadLetters.headers(record.headers(), config, reason, exceptionClass, message,
        source, record.timestamp(), parkedBy)), deadLetters);
    config.metrics().deadLettered(reason);
  }
}
