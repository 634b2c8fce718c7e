package dev.tally.account.domain;

import java.util.Objects;

/**
 * The state of one account, as folded from its events. {@code owner} and {@code currency} are
 * empty until the account is opened; {@code version} is the number of events applied.
 */
public record AccountState(Status status, String owner, String currency, long balance, long version) {

  /** The lifecycle of an account: never opened, open, or closed for good. */
  public enum Status { NEW, OPEN, CLOSED }

  public AccountState {
    Objects.requireNonNull(status, "status");
  }

  /** An account with no events. */
  public static AccountState initial() {
    return new AccountState(Status.NEW, "", "", 0, 0);
  }
}
