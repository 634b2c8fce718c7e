package dev.tally.account.http;

import java.time.Instant;
import java.util.UUID;

/** What the account endpoints return (the contract's field names, in its order). */
final class AccountViews {

  private AccountViews() {
  }

  record Account(UUID accountId, String owner, String currency, long balance, String status, long version,
      Instant updatedAt) {
  }

  record Transaction(long version, String type, long amount, long balanceAfter, String reference, Instant occurredAt) {
  }
}
