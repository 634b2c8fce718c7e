package dev.tally.account.projection;

import java.time.Instant;
import java.util.UUID;

/** One money event as its {@code account_transactions} row holds it. */
public record TransactionLine(UUID accountId, long version, Type type, long amount, long balanceAfter,
    String reference, Instant occurredAt, UUID eventId) {

  /** The kind of money event, as the {@code type} column spells it. */
  public enum Type {
    DEPOSIT, WITHDRAWAL
  }
}
