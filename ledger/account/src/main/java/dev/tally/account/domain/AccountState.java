package dev.tally.account.domain;

import java.util.Map;
import java.util.Objects;

/**
 * The state of one account, as folded from its events. {@code owner} and {@code currency} are
 * empty until the account is opened; {@code version} is the number of events applied.
 * {@code inFlight} holds the outgoing transfers debited and not yet settled or refunded, by
 * transfer id, with their amounts: the account refuses to close while it holds any, so that a
 * refund always finds it open, and keeps room under {@link Account#MAX_BALANCE} for them.
 */
public record AccountState(Status status, String owner, String currency, long balance, Map<String, Long> inFlight,
    long version) {

  /** The lifecycle of an account: never opened, open, or closed for good. */
  public enum Status { NEW, OPEN, CLOSED }

  public AccountState {
    Objects.requireNonNull(status, "status");
    inFlight = Map.copyOf(inFlight);
  }

  /** A state with no transfer in flight. */
  public AccountState(Status status, String owner, String currency, long balance, long version) {
    this(status, owner, currency, balance, Map.of(), version);
  }

  /** An account with no events. */
  public static AccountState initial() {
    return new AccountState(Status.NEW, "", "", 0, 0);
  }

  /** The sum of the outgoing transfers in flight, in minor units. */
  public long inFlightAmount() {
    return inFlight.values().stream().mapToLong(Long::longValue).sum();
  }
}
