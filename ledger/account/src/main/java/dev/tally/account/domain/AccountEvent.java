package dev.tally.account.domain;

/**
 * What happened to one account: the facts appended to its stream. Events are never validated on
 * construction, so replaying history cannot fail.
 */
public sealed interface AccountEvent {

  /** The account was opened; its currency never changes afterwards. */
  record AccountOpened(String owner, String currency) implements AccountEvent {}

  /** Money came in; {@code balanceAfter} is the balance once it is applied. */
  record MoneyDeposited(long amount, String reference, long balanceAfter) implements AccountEvent {}

  /** Money went out; {@code balanceAfter} is the balance once it is applied. */
  record MoneyWithdrawn(long amount, String reference, long balanceAfter) implements AccountEvent {}

  /** The account was closed for good. */
  record AccountClosed() implements AccountEvent {}
}
