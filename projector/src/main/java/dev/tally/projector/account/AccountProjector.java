package dev.tally.projector.account;

import dev.tally.projector.runtime.DeadLetters;
import dev.tally.projector.runtime.ProjectionStore;
import dev.tally.projector.runtime.ProjectorTopologyConfig;
import dev.tally.schemas.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes each event, adds it to the task's batch, or sends it to the dead-letter topic.
 *
 * <p>A record that cannot be decoded or applied parks its key: every later record of that key in
 * this partition goes to the dead-letter topic too, in order, until the key is re-driven, so an
 * account is never shown with an event missing from the middle of its history. Other keys go on.
 */
final class AccountProjector implements Processor<byte[], byte[], byte[], byte[]> {

  private static final Logger log = LoggerFactory.getLogger(AccountProjector.class);

  private final ProjectorTopologyConfig config;
  private final AvroCodec codec = AvroCodec.standard();
  private ProcessorContext<byte[], byte[]> context;
  private ProjectionStore<AccountBatch> store;

  AccountProjector(ProjectorTopologyConfig config) {
    this.config = config;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(AccountProjection.STORE);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    Long parkedBy = key == null ? null : store.parkedBy(key, source.offset());
    if (parkedBy != null) {
      deadLetter(record, source, DeadLetters.Reason.PARKED, null, parkedBy);
    } else {
      try {
        AccountEvent event = decode(record.value());
        UUID recordKey = AccountEvents.parseUuid(key);
        if (!event.accountId().equals(recordKey)) {
          throw new AccountEvents.InvalidEventException(
              "record key " + key + " is not the event's aggregate id " + event.accountId());
        }
        store.batch().add(event);
      } catch (AvroCodec.UndecodableRecordException e) {
        reject(record, source, key, DeadLetters.Reason.UNDECODABLE, e);
      } catch (RuntimeException e) {
        reject(record, source, key, DeadLetters.Reason.INVALID, e);
      }
    }
    store.handled(source, record.timestamp());
  }

  private AccountEvent decode(byte[] value) {
    SpecificRecord decoded = codec.decode(value);
    return AccountEvents.fromAvro(decoded);
  }

  private void reject(Record<byte[], byte[]> record, RecordMetadata source, String key, DeadLetters.Reason reason,
      RuntimeException cause) {
    log.warn("{}-{}@{}: {} record for key {} goes to the dead-letter topic and parks the key: {}",
        source.topic(), source.partition(), source.offset(), reason.label(), key, cause.toString());
    deadLetter(record, source, reason, cause, null);
    if (key != null) {
      store.park(key, source, reason.label() + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
  }

  private void deadLetter(Record<byte[], byte[]> record, RecordMetadata source, DeadLetters.Reason reason,
      Throwable cause, Long parkedBy) {
    context.forward(record.withHeaders(DeadLetters.headers(record.headers(), config.projection(), reason, cause,
        source, record.timestamp(), parkedBy)), AccountProjection.DEAD_LETTERS);
    config.metrics().deadLettered(reason);
  }
}
