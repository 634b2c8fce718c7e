package dev.tally.query.account;

import java.time.Instant;
import java.util.List;
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

  /** One page of a list; {@code next} is the cursor of the following page, or null on the last one. */
  record Page<T>(List<T> items, String next) {
  }
}
