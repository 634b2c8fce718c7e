package dev.tally.account.domain;

import dev.tally.runtime.core.Rejection;

/**
 * Why {@link Account} refused a command. {@link #code()} is stable (it ends the RFC 9457 problem
 * type URI); {@link #detail()} is for humans and may change.
 */
public sealed interface AccountRejection extends Rejection {

  /** Any command but {@code OpenAccount} on an account that was never opened. */
  record AccountNotFound() implements AccountRejection {
    @Override public Kind kind() { return Kind.NOT_FOUND; }
    @Override public String code() { return "account-not-found"; }
    @Override public String detail() { return "The account does not exist."; }
  }

  /** {@code OpenAccount} on an account that was already opened (and possibly closed). */
  record AccountAlreadyExists() implements AccountRejection {
    @Override public Kind kind() { return Kind.CONFLICT; }
    @Override public String code() { return "account-already-exists"; }
    @Override public String detail() { return "The account already exists."; }
  }

  /** Any command but {@code OpenAccount} on a closed account. */
  record AccountClosedRejection() implements AccountRejection {
    @Override public Kind kind() { return Kind.CONFLICT; }
    @Override public String code() { return "account-closed"; }
    @Override public String detail() { return "The account is closed."; }
  }

  /** A withdrawal larger than the balance. */
  record InsufficientFunds(long balance, long requested) implements AccountRejection {
    @Override public Kind kind() { return Kind.CONFLICT; }
    @Override public String code() { return "insufficient-funds"; }
    @Override public String detail() {
      return "Cannot withdraw " + requested + " with a balance of " + balance + ".";
    }
  }

  /** Closing an account whose balance is not zero. */
  record BalanceNotZero(long balance) implements AccountRejection {
    @Override public Kind kind() { return Kind.CONFLICT; }
    @Override public String code() { return "balance-not-zero"; }
    @Override public String detail() {
      return "Cannot close an account with a balance of " + balance + "; it must be 0.";
    }
  }

  /** An amount that is not in 1..{@link Account#MAX_AMOUNT}, or would push the balance past {@link Account#MAX_BALANCE}. */
  record InvalidAmount(long amount) implements AccountRejection {
    @Override public Kind kind() { return Kind.INVALID; }
    @Override public String code() { return "invalid-amount"; }
    @Override public String detail() {
      return "Invalid amount " + amount + ": it must be between 1 and " + Account.MAX_AMOUNT
          + " minor units, and the balance may not exceed " + Account.MAX_BALANCE + ".";
    }
  }

  /** Closing an account that still has outgoing transfers in flight: a refund may still need it open. */
  record TransferInFlight(int transfers) implements AccountRejection {
    @Override public Kind kind() { return Kind.CONFLICT; }
    @Override public String code() { return "transfer-in-flight"; }
    @Override public String detail() {
      return "Cannot close an account with " + transfers + " outgoing transfer(s) in flight; try again once they are"
          + " completed or refunded.";
    }
  }

  /** A transfer credit in another currency than the account's. */
  record CurrencyMismatch(String accountCurrency, String transferCurrency) implements AccountRejection {
    @Override public Kind kind() { return Kind.CONFLICT; }
    @Override public String code() { return "currency-mismatch"; }
    @Override public String detail() {
      return "The account holds " + accountCurrency + " and cannot receive a transfer in " + transferCurrency + ".";
    }
  }

  /** A transfer leg without a usable transfer id or counterparty account id. */
  record InvalidTransfer() implements AccountRejection {
    @Override public Kind kind() { return Kind.INVALID; }
    @Override public String code() { return "invalid-transfer"; }
    @Override public String detail() {
      return "A transfer leg must name its transfer and its counterparty account.";
    }
  }

  /** A currency that is not a known ISO 4217 code of three upper-case letters. */
  record InvalidCurrency(String currency) implements AccountRejection {
    @Override public Kind kind() { return Kind.INVALID; }
    @Override public String code() { return "invalid-currency"; }
    @Override public String detail() {
      return "The currency must be an ISO 4217 code of three upper-case letters, such as EUR.";
    }
  }

  /** An owner that {@link Account#OWNER} refuses: missing, blank, too long, or not storable text. */
  record InvalidOwner(String owner) implements AccountRejection {
    @Override public Kind kind() { return Kind.INVALID; }
    @Override public String code() { return "invalid-owner"; }
    @Override public String detail() {
      return "The owner must be " + Account.OWNER.describe() + ".";
    }
  }

  /** A reference that {@link Account#REFERENCE} refuses: missing, too long, or not storable text. */
  record InvalidReference() implements AccountRejection {
    @Override public Kind kind() { return Kind.INVALID; }
    @Override public String code() { return "invalid-reference"; }
    @Override public String detail() {
      return "The reference must be present and " + Account.REFERENCE.describe() + " (empty is fine).";
    }
  }
}
