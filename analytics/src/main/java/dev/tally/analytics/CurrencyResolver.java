package dev.tally.analytics;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one partition of the events topic: remembers each account's currency, and turns money
 * events into {@link Volume}s keyed by currency at the event's {@code occurredAt} (event time); its
 * {@link PartitionClock} tells the windows downstream how far the partition has come.
 *
 * <p>Runs on the events topic's partitions, keyed by account id: an account's opening is always
 * seen before its money events (one partition, in order), so the currency lookup needs no
 * repartitioning.
 *
 * <p>It dispatches on the {@code tally.type} header before decoding: types it does not count
 * ({@code account.closed}, and any added after it was written) are skipped undecoded. A record of
 * a type it counts:
 * <ul>
 *   <li>whose schema it does not know was written by a newer writer: it stops
 *       ({@link AvroCodec.UnknownSchemaException}), since skipping would leave the event out of the
 *       volumes for good; a newer build resumes at that record;
 *   <li>that cannot be decoded otherwise (or has no type header) is poison: logged, counted
 *       ({@code poison-records-total}) and skipped;
 *   <li>a money event of an account never seen opened is logged, counted ({@code orphan-records-total})
 *       and skipped.
 * </ul>
 * The counters are in metrics group {@code stream-tally-analytics-metrics}.
 */
final class CurrencyResolver implements Processor<String, byte[], String, Flow<Volume>> {

  private static final Logger log = LoggerFactory.getLogger(CurrencyResolver.class);
  private static final AvroCodec CODEC = AvroCodec.standard();

  private final String storeName;
  private final Duration grace;
  private ProcessorContext<String, Flow<Volume>> context;
  private KeyValueStore<String, String> currencies;
  private PartitionClock<Volume> clock;
  private Sensor poison;
  private Sensor orphans;

  CurrencyResolver(String storeName, Duration grace) {
    this.storeName = storeName;
    this.grace = grace;
  }

  @Override
  public void init(ProcessorContext<String, Flow<Volume>> context) {
    this.context = context;
    this.currencies = context.getStateStore(storeName);
    this.clock = new PartitionClock<>(context, grace);
    String task = context.taskId().toString();
    this.poison = context.metrics().addRateTotalSensor(EventTimeWindows.METRICS_SCOPE, task, "poison-records", Sensor.RecordingLevel.INFO);
    this.orphans = context.metrics().addRateTotalSensor(EventTimeWindows.METRICS_SCOPE, task, "orphan-records", Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    Header header = record.headers().lastHeader(SchemaCatalog.TYPE_PROPERTY);
    if (header == null) {
      skipPoison("no " + SchemaCatalog.TYPE_PROPERTY + " header");
      return;
    }
    String type = new String(header.value(), StandardCharsets.UTF_8);
    switch (type) {
      case "account.opened" -> {
        if (decode(record, type) instanceof AccountOpened opened) {
          clock.saw(opened.getMetadata().getOccurredAt().toEpochMilli());
          currencies.put(opened.getMetadata().getAggregateId(), opened.getCurrency());
        }
      }
      case "account.deposited" -> {
        if (decode(record, type) instanceof MoneyDeposited deposited) {
          emit(deposited.getMetadata(), Volume.deposit(deposited.getAmount()));
        }
      }
      case "account.withdrawn" -> {
        if (decode(record, type) instanceof MoneyWithdrawn withdrawn) {
          emit(withdrawn.getMetadata(), Volume.withdrawal(withdrawn.getAmount()));
        }
      }
      // account.closed, and event types added after this consumer was written: no volume, not decoded.
      default -> clock.saw(Long.MIN_VALUE);
    }
  }

  /**
   * The event of the type its header announced, or null for poison (counted and logged); a schema
   * this build does not know stops the application.
   */
  private SpecificRecord decode(Record<String, byte[]> record, String type) {
    SpecificRecord event;
    try {
      event = CODEC.decode(record.value());
    } catch (AvroCodec.UnknownSchemaException e) {
      throw new IllegalStateException("the " + type + " record at " + where() + " was written with a schema this "
          + "build does not know (" + e.getMessage() + "): run a build with the newer schemas; it resumes there", e);
    } catch (AvroCodec.UndecodableRecordException e) {
      skipPoison(e.getMessage());
      return null;
    }
    String decoded = SchemaCatalog.wireType(event.getSchema()).orElse("(none)");
    if (!decoded.equals(type)) {
      skipPoison("its header says " + type + " but it holds " + decoded);
      return null;
    }
    return event;
  }

  private void skipPoison(String why) {
    clock.saw(Long.MIN_VALUE);
    poison.record();
    log.warn("skipping poison record at {}: {}", where(), why);
  }

  private void emit(EventMetadata metadata, Volume volume) {
    long eventTime = metadata.getOccurredAt().toEpochMilli();
    clock.saw(eventTime);
    String currency = currencies.get(metadata.getAggregateId());
    if (currency == null) {
      orphans.record();
      log.warn("skipping money event {} of account {} whose opening was never seen, at {}",
          metadata.getEventId(), metadata.getAggregateId(), where());
      return;
    }
    context.forward(new Record<>(currency, new Flow.Item<>(volume), eventTime));
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
