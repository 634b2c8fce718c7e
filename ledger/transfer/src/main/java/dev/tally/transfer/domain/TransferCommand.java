package dev.tally.transfer.domain;

/**
 * What is asked of one transfer. The transfer id travels beside the command (it keys the stream).
 * A client sends only {@link RequestTransfer}; the transfer process records each step's outcome
 * with the others, as the accounts answered it. Commands are not validated on construction:
 * {@link Transfer} rejects invalid ones.
 */
public sealed interface TransferCommand {

  /** Moves {@code amount} minor units from account {@code from} to account {@code to}. */
  record RequestTransfer(String from, String to, long amount, String reference) implements TransferCommand {}

  /** The source was debited; its currency is the transfer's. */
  record RecordDebit(String currency) implements TransferCommand {}

  /** The source refused the debit, for the reason it gave (a stable code and a sentence). */
  record RecordDebitRefused(String code, String detail) implements TransferCommand {}

  /** The target was credited. */
  record RecordCredit() implements TransferCommand {}

  /** The target refused the credit, for the reason it gave. */
  record RecordCreditRefused(String code, String detail) implements TransferCommand {}

  /** The source got its money back after the target refused it. */
  record RecordRefund() implements TransferCommand {}
}
