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

  /**
   * Money left for account {@code to} in transfer {@code transferId}, and is in flight until the
   * transfer is settled or refunded. {@code currency} is the account's: the transfer learns it here
   * and the target checks it.
   */
  record MoneyTransferredOut(String transferId, String to, long amount, String currency, long balanceAfter)
      implements AccountEvent {}

  /** Money of transfer {@code transferId} arrived from account {@code from}. */
  record MoneyTransferredIn(String transferId, String from, long amount, long balanceAfter) implements AccountEvent {}

  /** The target refused transfer {@code transferId}: its amount came back; it is no longer in flight. */
  record TransferRefunded(String transferId, long amount, long balanceAfter) implements AccountEvent {}

  /** The target of transfer {@code transferId} was credited: it is no longer in flight. */
  record TransferSettled(String transferId) implements AccountEvent {}
}
