package dev.tally.account.domain;

import dev.tally.account.domain.AccountCommand.Close;
import dev.tally.account.domain.AccountCommand.Deposit;
import dev.tally.account.domain.AccountCommand.OpenAccount;
import dev.tally.account.domain.AccountCommand.Withdraw;
import dev.tally.account.domain.AccountEvent.AccountClosed;
import dev.tally.account.domain.AccountEvent.AccountOpened;
import dev.tally.account.domain.AccountEvent.MoneyDeposited;
import dev.tally.account.domain.AccountEvent.MoneyWithdrawn;
import dev.tally.account.domain.AccountRejection.AccountAlreadyExists;
import dev.tally.account.domain.AccountRejection.AccountClosedRejection;
import dev.tally.account.domain.AccountRejection.AccountNotFound;
import dev.tally.account.domain.AccountRejection.BalanceNotZero;
import dev.tally.account.domain.AccountRejection.InsufficientFunds;
import dev.tally.account.domain.AccountRejection.InvalidAmount;
import dev.tally.account.domain.AccountRejection.InvalidCurrency;
import dev.tally.account.domain.AccountRejection.InvalidOwner;
import dev.tally.account.domain.AccountRejection.InvalidReference;
import dev.tally.account.domain.AccountState.Status;
import dev.tally.runtime.core.Decider;
import dev.tally.runtime.core.Decision;
import dev.tally.runtime.core.TextRule;
import java.util.Currency;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rules of a bank account, as a pure decider. Amounts and balances are in minor units of the
 * account's currency; ids and time are handled outside.
 */
public final class Account implements Decider<AccountCommand, AccountEvent, AccountState, AccountRejection> {

  /** The shared instance; the decider is stateless. */
  public static final Account DECIDER = new Account();

  /** The largest amount one deposit or withdrawal may move, in minor units (10^12). */
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
          new AccountState(Status.CLOSED, state.owner(), state.currency(), state.balance(), version);
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
    // balance <= MAX_BALANCE and amount <= MAX_AMOUNT, so the sum cannot overflow.
    long balanceAfter = state.balance() + deposit.amount();
    if (balanceAfter > MAX_BALANCE) {
      return Decision.reject(new InvalidAmount(deposit.amount()));
    }
    return Decision.accept(new MoneyDeposited(deposit.amount(), deposit.reference(), balanceAfter));
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
    return Decision.accept(new AccountClosed());
  }

  private static Optional<AccountRejection> notOpen(AccountState state) {
    return switch (state.status()) {
      case NEW -> Optional.of(new AccountNotFound());
      case OPEN -> Optional.empty();
      case CLOSED -> Optional.of(new AccountClosedRejection());
    };
  }

  private static Optional<AccountRejection> invalidMovement(long amount, String reference) {
    if (amount <= 0 || amount > MAX_AMOUNT) {
      return Optional.of(new InvalidAmount(amount));
    }
    if (!REFERENCE.accepts(reference)) {
      return Optional.of(new InvalidReference());
    }
    return Optional.empty();
  }

  /** Three upper-case ASCII letters, and a code the JDK knows as ISO 4217. */
  private static boolean isValidCurrency(String currency) {
    return currency != null
        && currency.length() == 3
        && currency.chars().allMatch(c -> c >= 'A' && c <= 'Z')
        && ISO_CURRENCIES.contains(currency);
  }

  private static AccountState withBalance(AccountState state, long balance, long version) {
    return new AccountState(state.status(), state.owner(), state.currency(), balance, version);
  }
}
