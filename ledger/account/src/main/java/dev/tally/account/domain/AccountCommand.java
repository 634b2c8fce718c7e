package dev.tally.account.domain;

/**
 * What a client asks of one account. The account id travels beside the command (it keys the
 * stream), so it is not part of it. Commands are not validated on construction: {@link Account}
 * rejects invalid ones.
 */
public sealed interface AccountCommand {

  /** Opens the account for an owner, in a currency fixed for its lifetime. */
  record OpenAccount(String owner, String currency) implements AccountCommand {}

  /** Adds {@code amount} minor units; {@code reference} is free text, possibly empty. */
  record Deposit(long amount, String reference) implements AccountCommand {}

  /** Takes {@code amount} minor units out; {@code reference} is free text, possibly empty. */
  record Withdraw(long amount, String reference) implements AccountCommand {}

  /** Closes the account; it must have a zero balance. */
  record Close() implements AccountCommand {}
}
