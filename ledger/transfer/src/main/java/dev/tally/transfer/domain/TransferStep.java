package dev.tally.transfer.domain;

/**
 * One command of the transfer process to one account. A step's command id and idempotency key are
 * derived from the transfer id and the step, so that sending it again is recognised as the same
 * command (ADR 36).
 */
public enum TransferStep {
  /** Take the money out of the source; it is in flight from then on. */
  DEBIT,
  /** Pay it into the target. */
  CREDIT,
  /** Give it back to the source, after the target refused it. */
  REFUND,
  /** Tell the source its transfer arrived, so that it forgets it. */
  SETTLE
}
