package dev.tally.account.projection;

import dev.tally.schemas.event.AccountClosed;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import java.time.Instant;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/** Maps decoded Avro records to {@link AccountEvent}s, refusing what the read model cannot hold. */
final class AccountEvents {

  private AccountEvents() {
  }

  /**
   * @throws InvalidEventException for a record that is not an account event, or one whose content
   *     cannot be stored (ids that are not UUIDs, versions below 1, text PostgreSQL refuses)
   */
  static AccountEvent fromAvro(SpecificRecord record) {
    return switch (record) {
      case AccountOpened opened -> {
        Envelope e = envelope(opened.getMetadata());
        yield new AccountEvent.Opened(e.accountId(), e.version(), e.occurredAt(), e.eventId(),
            text(opened.getOwner(), "owner"), text(opened.getCurrency(), "currency"));
      }
      case MoneyDeposited deposited -> {
        Envelope e = envelope(deposited.getMetadata());
        yield new AccountEvent.Deposited(e.accountId(), e.version(), e.occurredAt(), e.eventId(),
            deposited.getAmount(), text(deposited.getReference(), "reference"), deposited.getBalanceAfter());
      }
      case MoneyWithdrawn withdrawn -> {
        Envelope e = envelope(withdrawn.getMetadata());
        yield new AccountEvent.Withdrawn(e.accountId(), e.version(), e.occurredAt(), e.eventId(),
            withdrawn.getAmount(), text(withdrawn.getReference(), "reference"), withdrawn.getBalanceAfter());
      }
      case AccountClosed closed -> {
        Envelope e = envelope(closed.getMetadata());
        yield new AccountEvent.Closed(e.accountId(), e.version(), e.occurredAt(), e.eventId());
      }
      default -> throw new InvalidEventException("not an account event: " + record.getSchema().getFullName());
    };
  }

  /**
   * A canonical UUID (8-4-4-4-12 hex digits), or null for anything else. Checked by hand rather
   * than with a regular expression: it runs three times per event, on the stream thread.
   */
  static UUID parseUuid(String text) {
    if (text == null || text.length() != 36) {
      return null;
    }
    for (int i = 0; i < 36; i++) {
      char c = text.charAt(i);
      boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
          : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!ok) {
        return null;
      }
    }
    return UUID.fromString(text);
  }

  private static Envelope envelope(EventMetadata metadata) {
    if (metadata == null) {
      throw new InvalidEventException("event without metadata");
    }
    UUID accountId = parseUuid(metadata.getAggregateId());
    if (accountId == null) {
      throw new InvalidEventException("aggregate id is not a UUID: " + metadata.getAggregateId());
    }
    UUID eventId = parseUuid(metadata.getEventId());
    if (eventId == null) {
      throw new InvalidEventException("event id is not a UUID: " + metadata.getEventId());
    }
    if (metadata.getAggregateVersion() < 1) {
      throw new InvalidEventException("aggregate version must be at least 1, not " + metadata.getAggregateVersion());
    }
    if (metadata.getOccurredAt() == null) {
      throw new InvalidEventException("event without occurredAt");
    }
    return new Envelope(accountId, metadata.getAggregateVersion(), metadata.getOccurredAt(), eventId);
  }

  private static String text(String value, String field) {
    if (value == null) {
      throw new InvalidEventException(field + " is missing");
    }
    if (value.indexOf('\0') >= 0) {
      throw new InvalidEventException(field + " contains a NUL character, which PostgreSQL text cannot hold");
    }
    return value;
  }

  private record Envelope(UUID accountId, long version, Instant occurredAt, UUID eventId) {
  }

  /** A readable record that the account projection cannot apply. */
  static final class InvalidEventException extends RuntimeException {
    InvalidEventException(String message) {
      super(message);
    }
  }
}
