package dev.tally.transfer.domain;

/**
 * What happened to one transfer: the saga's progress, appended to its own stream. Never validated
 * on construction, so replaying history cannot fail.
 */
public sealed interface TransferEvent {

  /** A client asked for the transfer; nothing has moved yet. */
  record TransferRequested(String from, String to, long amount, String reference) implements TransferEvent {}

  /** The source was debited, in {@code currency}: the money is in flight. */
  record TransferDebited(String currency) implements TransferEvent {}

  /** The target was credited: the transfer is done. */
  record TransferCompleted() implements TransferEvent {}

  /** The target refused the credit; the source is to be refunded. */
  record TransferCreditRefused(String code, String detail) implements TransferEvent {}

  /**
   * The transfer failed for good, for the reason the refusing account gave: at the debit (nothing
   * moved) or at the credit, once the source was {@code refunded}.
   */
  record TransferFailed(String code, String detail, boolean refunded) implements TransferEvent {}
}
