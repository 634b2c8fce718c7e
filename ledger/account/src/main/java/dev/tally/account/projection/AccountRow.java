package dev.tally.account.projection;

import java.time.Instant;
import java.util.UUID;

/**
 * An account as its {@code accounts} row holds it, after the events folded into it
 * ({@link AccountView}). A column the folded events do not tell (a batch folds onto a row it has not
 * read) is null: it stays as the table has it.
 */
public record AccountRow(UUID accountId, String owner, String currency, Long balance, Status status, long version,
    Instant openedAt, Instant updatedAt) {

  /** An account's status, as the {@code status} column spells it. */
  public enum Status {
    OPEN, CLOSED
  }

  /** Nothing known yet. */
  static final AccountRow UNKNOWN = new AccountRow(null, null, null, null, null, 0, null, null);

  /** True if the folded events include the account's opening, so the row can be inserted whole. */
  public boolean opened() {
    return openedAt != null;
  }
}
