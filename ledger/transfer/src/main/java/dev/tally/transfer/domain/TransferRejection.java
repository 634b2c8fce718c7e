package dev.tally.transfer.domain;

import dev.tally.runtime.core.Rejection;

/**
 * Why {@link Transfer} refused a command. {@link #code()} is stable (it ends the RFC 9457 problem
 * type URI); {@link #detail()} is for humans and may change; {@link #kind()} says which family of
 * answer it is, so that the edge maps it without a table of codes.
 */
public sealed interface TransferRejection extends Rejection {

  /** An account id that is not one: ids key the accounts' streams, so they are compared exactly. */
  record InvalidAccount(String field) implements TransferRejection {
    @Override public String code() { return "invalid-account"; }
    @Override public String detail() {
      return "The " + field + " account must be an account id: a UUID in lower-case canonical form.";
    }
    @Override public Kind kind() { return Kind.INVALID; }
  }

  /** A transfer from an account to itself. */
  record SameAccount() implements TransferRejection {
    @Override public String code() { return "same-account"; }
    @Override public String detail() { return "A transfer needs two different accounts."; }
    @Override public Kind kind() { return Kind.INVALID; }
  }

  /** An amount outside 1..{@link Transfer#MAX_AMOUNT}. */
  record InvalidAmount(long amount) implements TransferRejection {
    @Override public String code() { return "invalid-amount"; }
    @Override public String detail() {
      return "Invalid amount " + amount + ": it must be between 1 and " + Transfer.MAX_AMOUNT + " minor units.";
    }
    @Override public Kind kind() { return Kind.INVALID; }
  }

  /** A reference the account's rule refuses: the same text ends up in both accounts' history. */
  record InvalidReference() implements TransferRejection {
    @Override public String code() { return "invalid-reference"; }
    @Override public String detail() {
      return "The reference must be present and " + Transfer.REFERENCE.describe() + " (empty is fine).";
    }
    @Override public Kind kind() { return Kind.INVALID; }
  }

  /** A refusal recorded without a usable reason: the client would be told nothing. */
  record InvalidReason() implements TransferRejection {
    @Override public String code() { return "invalid-reason"; }
    @Override public String detail() {
      return "A refusal's code must be " + Transfer.REASON_CODE.describe() + ", its detail "
          + Transfer.REASON_DETAIL.describe() + ".";
    }
    @Override public Kind kind() { return Kind.INVALID; }
  }

  /** {@code RequestTransfer} for a transfer id already requested. */
  record TransferAlreadyExists() implements TransferRejection {
    @Override public String code() { return "transfer-already-exists"; }
    @Override public String detail() { return "The transfer already exists."; }
    @Override public Kind kind() { return Kind.CONFLICT; }
  }

  /** A step recorded for a transfer never requested. */
  record TransferNotFound() implements TransferRejection {
    @Override public String code() { return "transfer-not-found"; }
    @Override public String detail() { return "The transfer does not exist."; }
    @Override public Kind kind() { return Kind.NOT_FOUND; }
  }

  /**
   * A step outcome that contradicts what the transfer recorded: a credit before the debit, a debit
   * after the debit was refused, and so on. Never a replay, which changes nothing instead.
   */
  record StepOutOfOrder(String step, TransferState.Stage stage) implements TransferRejection {
    @Override public String code() { return "step-out-of-order"; }
    @Override public String detail() {
      return "Cannot record " + step + " for a transfer at stage " + stage + ".";
    }
    @Override public Kind kind() { return Kind.CONFLICT; }
  }
}
