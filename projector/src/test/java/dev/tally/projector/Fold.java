package dev.tally.projector;

import dev.tally.schemas.event.AccountClosed;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * The read model as it must be after a stream of events: an independent, in-memory fold of the
 * log (each account's events in log order; a repeated version changes nothing).
 */
public final class Fold {

  private Fold() {
  }

  public static ReadModel.Dump of(List<SpecificRecord> events) {
    Map<String, Row> accounts = new TreeMap<>();
    Map<String, String> lines = new TreeMap<>();
    for (SpecificRecord event : events) {
      EventMetadata m = metadata(event);
      String id = m.getAggregateId();
      Row row = accounts.get(id);
      if (event instanceof AccountOpened opened) {
        if (row == null) {
          accounts.put(id, new Row(id, opened.getOwner(), opened.getCurrency(), 0, "OPEN", 1,
              micros(m.getOccurredAt()), micros(m.getOccurredAt())));
        }
        continue;
      }
      if (row == null || m.getAggregateVersion() <= row.version) {
        if (row == null) {
          throw new IllegalStateException("event before its account was opened: " + event);
        }
      } else {
        long balance = switch (event) {
          case MoneyDeposited d -> d.getBalanceAfter();
          case MoneyWithdrawn w -> w.getBalanceAfter();
          default -> row.balance;
        };
        String status = event instanceof AccountClosed ? "CLOSED" : row.status;
        accounts.put(id, new Row(id, row.owner, row.currency, balance, status, m.getAggregateVersion(), row.openedAt,
            micros(m.getOccurredAt())));
      }
      String line = switch (event) {
        case MoneyDeposited d -> line(m, "DEPOSIT", d.getAmount(), d.getBalanceAfter(), d.getReference());
        case MoneyWithdrawn w -> line(m, "WITHDRAWAL", w.getAmount(), w.getBalanceAfter(), w.getReference());
        default -> null;
      };
      if (line != null) {
        lines.putIfAbsent(id + "|" + String.format("%019d", m.getAggregateVersion()), line);
      }
    }
    return new ReadModel.Dump(accounts.values().stream().map(Row::text).toList(), List.copyOf(lines.values()));
  }

  private static String line(EventMetadata m, String type, long amount, long balanceAfter, String reference) {
    return m.getAggregateId() + "|" + m.getAggregateVersion() + "|" + type + "|" + amount + "|" + balanceAfter + "|"
        + reference + "|" + micros(m.getOccurredAt()) + "|" + m.getEventId();
  }

  private static EventMetadata metadata(SpecificRecord event) {
    return (EventMetadata) event.get(event.getSchema().getField("metadata").pos());
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private record Row(String id, String owner, String currency, long balance, String status, long version,
      long openedAt, long updatedAt) {
    String text() {
      return id + "|" + owner + "|" + currency + "|" + balance + "|" + status + "|" + version + "|" + openedAt + "|"
          + updatedAt;
    }
  }
}
