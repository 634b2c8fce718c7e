package dev.tally.projector;

import dev.tally.account.projection.AccountEvent;
import dev.tally.account.projection.AccountProjection;
import dev.tally.account.projection.AccountRow;
import dev.tally.account.projection.AccountView;
import dev.tally.runtime.projection.HistoryFold;
import dev.tally.runtime.projection.VersionGate;
import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.event.EventMetadata;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * The read model as it must be after a stream of events: the log folded in memory through the
 * projection's view, with the version rule (each account's events in log order; the same event
 * again changes nothing), never through the projector's SQL.
 */
public final class Fold {

  private static final AvroCodec CODEC = AvroCodec.standard();

  private Fold() {
  }

  public static ReadModel.Dump of(List<SpecificRecord> events) {
    AccountProjection projection = AccountProjection.PROJECTION;
    HistoryFold<AccountEvent, AccountRow> fold = new HistoryFold<>(projection, AccountView.VIEW);
    Map<String, String> lines = new TreeMap<>();
    for (SpecificRecord record : events) {
      AccountEvent event = projection.read(metadata(record).getAggregateId(), CODEC.encode(record));
      if (fold.add(event) instanceof VersionGate.Fault fault) {
        throw new IllegalStateException("cannot fold " + record + ": " + fault.message());
      }
      AccountView.line(event).ifPresent(l -> lines.putIfAbsent(l.accountId() + "|" + String.format("%019d", l.version()),
          l.accountId() + "|" + l.version() + "|" + l.type() + "|" + l.amount() + "|" + l.balanceAfter() + "|"
              + l.reference() + "|" + micros(l.occurredAt()) + "|" + l.eventId()));
    }
    Map<String, String> accounts = new TreeMap<>();
    fold.states().values().stream().filter(a -> a.status() != null).forEach(a -> accounts.put(a.accountId().toString(),
        a.accountId() + "|" + a.owner() + "|" + a.currency() + "|" + a.balance() + "|" + a.status() + "|" + a.version()
            + "|" + micros(a.openedAt()) + "|" + micros(a.updatedAt())));
    return new ReadModel.Dump(List.copyOf(accounts.values()), List.copyOf(lines.values()));
  }

  private static EventMetadata metadata(SpecificRecord event) {
    return (EventMetadata) event.get(event.getSchema().getField("metadata").pos());
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
