package dev.tally.account.domain;

/**
 * What a client, or the transfer process, asks of one account. The account id travels beside the
 * command (it keys the stream), so it is not part of it. Commands are not validated on
 * construction: {@link Account} rejects invalid ones.
 *
 * <p>The four transfer legs name the transfer they belong to, so that a leg sent again is
 * recognised by the account itself, not only by an idempotency key that may be forgotten.
 */
public sealed interface AccountCommand {

  /** Opens the account for an owner, in a currency fixed for its lifetime. */
  record OpenAccount(String owner, String currency) implements AccountCommand {}

  /** Adds {@code amount} minor units; {@code reference} is free text, possibly empty. */
  record Deposit(long amount, String reference) implements AccountCommand {}

  /** Takes {@code amount} minor units out; {@code reference} is free text, possibly empty. */
  record Withdraw(long amount, String reference) implements AccountCommand {}

  /** Closes the account; it must have a zero balance and no outgoing transfer in flight. */
  record Close() implements AccountCommand {}

  /** Takes {@code amount} out for transfer {@code transferId} to account {@code to}; it stays in flight until settled or refunded. */
  record DebitForTransfer(String transferId, String to, long amount) implements AccountCommand {}

  /** Pays in {@code amount} of transfer {@code transferId} from account {@code from}, whose currency is {@code currency}. */
  record CreditForTransfer(String transferId, String from, long amount, String currency) implements AccountCommand {}

  /** Gives back the amount of an outgoing transfer in flight that its target refused. */
  record RefundTransfer(String transferId) implements AccountCommand {}

  /** Forgets an outgoing transfer in flight: its target was credited. */
  record SettleTransfer(String transferId) implements AccountCommand {}
}
