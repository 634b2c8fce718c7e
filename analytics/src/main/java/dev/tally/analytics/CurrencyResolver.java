package dev.tally.analytics;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes account events, remembers each account's currency, and turns money events into
 * {@link Volume}s keyed by currency, stamped with the event's {@code occurredAt} (event time).
 *
 * <p>Runs on the events topic's partitions, keyed by account id: an account's opening is always
 * seen before its money events (one partition, in order), so the currency lookup needs no
 * repartitioning. Poison records (not decodable) and money events of an account never seen opened
 * are logged, counted ({@code poison-records-total}, {@code orphan-records-total} in group
 * {@code stream-tally-analytics-metrics}) and skipped: the application never stops for them.
 */
final class CurrencyResolver implements Processor<String, byte[], String, Volume> {

  static final String METRICS_SCOPE = "tally-analytics";

  private static final Logger log = LoggerFactory.getLogger(CurrencyResolver.class);
  private static final AvroCodec CODEC = AvroCodec.standard();

  private final String storeName;
  private ProcessorContext<String, Volume> context;
  private KeyValueStore<String, String> currencies;
  private Sensor poison;
  private Sensor orphans;

  CurrencyResolver(String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<String, Volume> context) {
    this.context = context;
    this.currencies = context.getStateStore(storeName);
    String task = context.taskId().toString();
    this.poison = context.metrics().addRateTotalSensor(METRICS_SCOPE, task, "poison-records", Sensor.RecordingLevel.INFO);
    this.orphans = context.metrics().addRateTotalSensor(METRICS_SCOPE, task, "orphan-records", Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    SpecificRecord event;
    try {
      event = CODEC.decode(record.value());
    } catch (AvroCodec.UndecodableRecordException e) {
      poison.record();
      log.warn("skipping poison record at {}: {}", where(), e.getMessage());
      return;
    }
    // Dispatch on the stable wire type, never on Java class names (ADR 3).
    String type = SchemaCatalog.wireType(event.getSchema()).orElse("");
    switch (type) {
      case "account.opened" -> {
        AccountOpened opened = (AccountOpened) event;
        currencies.put(opened.getMetadata().getAggregateId(), opened.getCurrency());
      }
      case "account.deposited" -> {
        MoneyDeposited deposited = (MoneyDeposited) event;
        emit(deposited.getMetadata(), Volume.deposit(deposited.getAmount()));
      }
      case "account.withdrawn" -> {
        MoneyWithdrawn withdrawn = (MoneyWithdrawn) event;
        emit(withdrawn.getMetadata(), Volume.withdrawal(withdrawn.getAmount()));
      }
      // account.closed, and event types added after this consumer was written: no volume.
      default -> {
      }
    }
  }

  private void emit(EventMetadata metadata, Volume volume) {
    String currency = currencies.get(metadata.getAggregateId());
    if (currency == null) {
      orphans.record();
      log.warn("skipping money event {} of account {} whose opening was never seen, at {}",
          metadata.getEventId(), metadata.getAggregateId(), where());
      return;
    }
    context.forward(new Record<>(currency, volume, metadata.getOccurredAt().toEpochMilli()));
  }

  private String where() {
    return context.recordMetadata()
        .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
        .orElse("unknown offset");
  }

  @Override
  public void close() {
    context.metrics().removeSensor(poison);
    context.metrics().removeSensor(orphans);
  }
}
