package dev.tally.account.projection;

import java.time.Instant;
import java.util.UUID;

/** An account event as the projection sees it: Avro stays at the edge ({@link AccountEvents}). */
public sealed interface AccountEvent {

  UUID accountId();

  long version();

  Instant occurredAt();

  UUID eventId();

  record Opened(UUID accountId, long version, Instant occurredAt, UUID eventId, String owner, String currency)
      implements AccountEvent {
  }

  record Deposited(UUID accountId, long version, Instant occurredAt, UUID eventId, long amount, String reference,
      long balanceAfter) implements AccountEvent {
  }

  record Withdrawn(UUID accountId, long version, Instant occurredAt, UUID eventId, long amount, String reference,
      long balanceAfter) implements AccountEvent {
  }

  record Closed(UUID accountId, long version, Instant occurredAt, UUID eventId) implements AccountEvent {
  }
}
