package dev.tally.account.domain;

import dev.tally.account.domain.AccountCommand.Close;
import dev.tally.account.domain.AccountCommand.CreditForTransfer;
import dev.tally.account.domain.AccountCommand.DebitForTransfer;
import dev.tally.account.domain.AccountCommand.Deposit;
import dev.tally.account.domain.AccountCommand.OpenAccount;
import dev.tally.account.domain.AccountCommand.RefundTransfer;
import dev.tally.account.domain.AccountCommand.SettleTransfer;
import dev.tally.account.domain.AccountCommand.Withdraw;
import dev.tally.account.domain.AccountEvent.AccountClosed;
import dev.tally.account.domain.AccountEvent.AccountOpened;
import dev.tally.account.domain.AccountEvent.MoneyDeposited;
import dev.tally.account.domain.AccountEvent.MoneyTransferredIn;
import dev.tally.account.domain.AccountEvent.MoneyTransferredOut;
import dev.tally.account.domain.AccountEvent.MoneyWithdrawn;
import dev.tally.account.domain.AccountEvent.TransferRefunded;
import dev.tally.account.domain.AccountEvent.TransferSettled;
import dev.tally.account.domain.AccountRejection.AccountAlreadyExists;
import dev.tally.account.domain.AccountRejection.AccountClosedRejection;
import dev.tally.account.domain.AccountRejection.AccountNotFound;
import dev.tally.account.domain.AccountRejection.BalanceNotZero;
import dev.tally.account.domain.AccountRejection.CurrencyMismatch;
import dev.tally.account.domain.AccountRejection.InsufficientFunds;
import dev.tally.account.domain.AccountRejection.InvalidAmount;
import dev.tally.account.domain.AccountRejection.InvalidCurrency;
import dev.tally.account.domain.AccountRejection.InvalidOwner;
import dev.tally.account.domain.AccountRejection.InvalidReference;
import dev.tally.account.domain.AccountRejection.InvalidTransfer;
import dev.tally.account.domain.AccountRejection.TransferInFlight;
import dev.tally.account.domain.AccountState.Status;
import dev.tally.runtime.core.Decider;
import dev.tally.runtime.core.Decision;
import dev.tally.runtime.core.TextRule;
import java.util.Currency;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rules of a bank account, as a pure decider. Amounts and balances are in minor units of the
 * account's currency; ids and time are handled outside.
 *
 * <p>An account is one leg of a transfer at a time, never both ends at once: it is debited for a
 * transfer (the money is then in flight), and later settled or refunded; or it is credited. A leg
 * sent again for a transfer still in flight changes nothing, so a replayed step is harmless even
 * once its idempotency key is forgotten (ADR 36).
 */
public final class Account implements Decider<AccountCommand, AccountEvent, AccountState, AccountRejection> {

  /** The shared instance; the decider is stateless. */
  public static final Account DECIDER = new Account();

  /** The largest amount one deposit, withdrawal or transfer may move, in minor units (10^12). */
  public static final long MAX_AMOUNT = 1_000_000_000_000L;

  /** The largest balance an account may hold, far enough from {@code Long.MAX_VALUE} to never overflow. */
  public static final long MAX_BALANCE = Long.MAX_VALUE / 4;

  /** The longest owner accepted, in Unicode code points. */
  public static final int MAX_OWNER_LENGTH = 200;

  /** The longest reference accepted, in Unicode code points. */
  public static final int MAX_REFERENCE_LENGTH = 500;

  /** A name, one line of text: no control character has a place in it (ADR 14). */
  public static final TextRule OWNER = TextRule.text(MAX_OWNER_LENGTH).withoutControls().nonBlank();

  /**
   * A payment reference, possibly empty: one line of text, like the remittance line of a bank
   * transfer, so no control character either (ADR 14).
   */
  public static final TextRule REFERENCE = TextRule.text(MAX_REFERENCE_LENGTH).withoutControls();

  /** The transfer and counterparty ids a leg names: made by the transfer process, never typed by people. */
  static final TextRule LEG_ID = TextRule.text(64).withoutControls().nonBlank();

  private static final Set<String> ISO_CURRENCIES = Currency.getAvailableCurrencies().stream()
      .map(Currency::getCurrencyCode)
      .collect(Collectors.toUnmodifiableSet());

  /** Prefer {@link #DECIDER}; instances are interchangeable. */
  public Account() {}

  @Override
  public AccountState initialState() {
    return AccountState.initial();
  }

  @Override
  public Decision<AccountEvent, AccountRejection> decide(AccountCommand command, AccountState state) {
    return switch (command) {
      case OpenAccount open -> open(open, state);
      case Deposit deposit -> deposit(deposit, state);
      case Withdraw withdraw -> withdraw(withdraw, state);
      case Close close -> close(state);
      case DebitForTransfer debit -> debit(debit, state);
      case CreditForTransfer credit -> credit(credit, state);
      case RefundTransfer refund -> refund(refund, state);
      case SettleTransfer settle -> isInFlight(state, settle.transferId())
          ? Decision.accept(new TransferSettled(settle.transferId()))
          : Decision.accept();
    };
  }

  @Override
  public AccountState evolve(AccountState state, AccountEvent event) {
    long version = state.version() + 1;
    return switch (event) {
      case AccountOpened opened ->
          new AccountState(Status.OPEN, opened.owner(), opened.currency(), 0, version);
      case MoneyDeposited deposited -> {
        assert deposited.balanceAfter() == state.balance() + deposited.amount() : deposited;
        yield withBalance(state, deposited.balanceAfter(), version);
      }
      case MoneyWithdrawn withdrawn -> {
        assert withdrawn.balanceAfter() == state.balance() - withdrawn.amount() : withdrawn;
        yield withBalance(state, withdrawn.balanceAfter(), version);
      }
      case AccountClosed closed ->
          new AccountState(Status.CLOSED, state.owner(), state.currency(), state.balance(), state.inFlight(), version);
      case MoneyTransferredOut out -> {
        assert out.balanceAfter() == state.balance() - out.amount() : out;
        Map<String, Long> inFlight = new HashMap<>(state.inFlight());
        inFlight.put(out.transferId(), out.amount());
        yield new AccountState(state.status(), state.owner(), state.currency(), out.balanceAfter(), inFlight, version);
      }
      case MoneyTransferredIn in -> {
        assert in.balanceAfter() == state.balance() + in.amount() : in;
        yield withBalance(state, in.balanceAfter(), version);
      }
      case TransferRefunded refunded -> {
        assert refunded.balanceAfter() == state.balance() + refunded.amount() : refunded;
        yield withoutInFlight(state, refunded.transferId(), refunded.balanceAfter(), version);
      }
      case TransferSettled settled -> withoutInFlight(state, settled.transferId(), state.balance(), version);
    };
  }

  private static Decision<AccountEvent, AccountRejection> open(OpenAccount open, AccountState state) {
    if (state.status() != Status.NEW) {
      return Decision.reject(new AccountAlreadyExists());
    }
    if (!OWNER.accepts(open.owner())) {
      return Decision.reject(new InvalidOwner(open.owner()));
    }
    if (!isValidCurrency(open.currency())) {
      return Decision.reject(new InvalidCurrency(open.currency()));
    }
    return Decision.accept(new AccountOpened(open.owner(), open.currency()));
  }

  private static Decision<AccountEvent, AccountRejection> deposit(Deposit deposit, AccountState state) {
    Optional<AccountRejection> rejection = notOpen(state)
        .or(() -> invalidMovement(deposit.amount(), deposit.reference()));
    if (rejection.isPresent()) {
      return Decision.reject(rejection.get());
    }
    if (!hasRoomFor(state, deposit.amount())) {
      return Decision.reject(new InvalidAmount(deposit.amount()));
    }
    return Decision.accept(new MoneyDeposited(deposit.amount(), deposit.reference(), state.balance() + deposit.amount()));
  }

  private static Decision<AccountEvent, AccountRejection> withdraw(Withdraw withdraw, AccountState state) {
    Optional<AccountRejection> rejection = notOpen(state)
        .or(() -> invalidMovement(withdraw.amount(), withdraw.reference()));
    if (rejection.isPresent()) {
      return Decision.reject(rejection.get());
    }
    if (withdraw.amount() > state.balance()) {
      return Decision.reject(new InsufficientFunds(state.balance(), withdraw.amount()));
    }
    long balanceAfter = state.balance() - withdraw.amount();
    return Decision.accept(new MoneyWithdrawn(withdraw.amount(), withdraw.reference(), balanceAfter));
  }

  private static Decision<AccountEvent, AccountRejection> close(AccountState state) {
    Optional<AccountRejection> rejection = notOpen(state);
    if (rejection.isPresent()) {
      return Decision.reject(rejection.get());
    }
    if (state.balance() != 0) {
      return Decision.reject(new BalanceNotZero(state.balance()));
    }
    if (!state.inFlight().isEmpty()) {
      return Decision.reject(new TransferInFlight(state.inFlight().size()));
    }
    return Decision.accept(new AccountClosed());
  }

  private static Decision<AccountEvent, AccountRejection> debit(DebitForTransfer debit, AccountState state) {
    if (isInFlight(state, debit.transferId())) {
      return Decision.accept();
    }
    Optional<AccountRejection> rejection = notOpen(state)
        .or(() -> invalidLeg(debit.transferId(), debit.to(), debit.amount()));
    if (rejection.isPresent()) {
      return Decision.reject(rejection.get());
    }
    if (debit.amount() > state.balance()) {
      return Decision.reject(new InsufficientFunds(state.balance(), debit.amount()));
    }
    return Decision.accept(new MoneyTransferredOut(debit.transferId(), debit.to(), debit.amount(), state.currency(),
        state.balance() - debit.amount()));
  }

  /**
   * A credit is not recognised when sent again: the account would have to remember every transfer
   * it ever received. The writer's idempotency key deduplicates it within its window (ADR 36).
   */
  private static Decision<AccountEvent, AccountRejection> credit(CreditForTransfer credit, AccountState state) {
    Optional<AccountRejection> rejection = notOpen(state)
        .or(() -> invalidLeg(credit.transferId(), credit.from(), credit.amount()));
    if (rejection.isPresent()) {
      return Decision.reject(rejection.get());
    }
    if (!state.currency().equals(credit.currency())) {
      return Decision.reject(new CurrencyMismatch(state.currency(), credit.currency()));
    }
    if (!hasRoomFor(state, credit.amount())) {
      return Decision.reject(new InvalidAmount(credit.amount()));
    }
    return Decision.accept(new MoneyTransferredIn(credit.transferId(), credit.from(), credit.amount(),
        state.balance() + credit.amount()));
  }

  /** Always succeeds for a transfer in flight: the account cannot have been closed meanwhile. */
  private static Decision<AccountEvent, AccountRejection> refund(RefundTransfer refund, AccountState state) {
    if (!isInFlight(state, refund.transferId())) {
      return Decision.accept();
    }
    long amount = state.inFlight().get(refund.transferId());
    return Decision.accept(new TransferRefunded(refund.transferId(), amount, state.balance() + amount));
  }

  /** Whether the account was debited for this transfer, and it was neither settled nor refunded since. */
  private static boolean isInFlight(AccountState state, String transferId) {
    return transferId != null && state.inFlight().containsKey(transferId);
  }

  /**
   * Whether {@code amount} more fits under {@link #MAX_BALANCE} with every transfer in flight
   * refunded too, so that a refund never has to be refused for lack of room. Each term is at most
   * {@code MAX_BALANCE} or {@code MAX_AMOUNT}, so the sum cannot overflow.
   */
  private static boolean hasRoomFor(AccountState state, long amount) {
    return state.balance() + state.inFlightAmount() + amount <= MAX_BALANCE;
  }

  private static Optional<AccountRejection> notOpen(AccountState state) {
    return switch (state.status()) {
      case NEW -> Optional.of(new AccountNotFound());
      case OPEN -> Optional.empty();
      case CLOSED -> Optional.of(new AccountClosedRejection());
    };
  }

  private static Optional<AccountRejection> invalidLeg(String transferId, String counterparty, long amount) {
    if (!LEG_ID.accepts(transferId) || !LEG_ID.accepts(counterparty)) {
      return Optional.of(new InvalidTransfer());
    }
    return invalidAmount(amount);
  }

  private static Optional<AccountRejection> invalidAmount(long amount) {
    return amount <= 0 || amount > MAX_AMOUNT ? Optional.of(new InvalidAmount(amount)) : Optional.empty();
  }

  private static Optional<AccountRejection> invalidMovement(long amount, String reference) {
    return invalidAmount(amount)
        .or(() -> REFERENCE.accepts(reference) ? Optional.empty() : Optional.of(new InvalidReference()));
  }

  /** Three upper-case ASCII letters, and a code the JDK knows as ISO 4217. */
  private static boolean isValidCurrency(String currency) {
    return currency != null
        && currency.length() == 3
        && currency.chars().allMatch(c -> c >= 'A' && c <= 'Z')
        && ISO_CURRENCIES.contains(currency);
  }

  private static AccountState withBalance(AccountState state, long balance, long version) {
    return new AccountState(state.status(), state.owner(), state.currency(), balance, state.inFlight(), version);
  }

  private static AccountState withoutInFlight(AccountState state, String transferId, long balance, long version) {
    Map<String, Long> inFlight = new HashMap<>(state.inFlight());
    inFlight.remove(transferId);
    return new AccountState(state.status(), state.owner(), state.currency(), balance, inFlight, version);
  }
}
