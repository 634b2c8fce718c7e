package dev.tally.account.domain;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.tally.runtime.core.DeciderSpec;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AccountTest {

  private static final AccountOpened OPENED = new AccountOpened("Ada Lovelace", "EUR");
  private static final MoneyDeposited DEPOSITED_100 = new MoneyDeposited(100, "salary", 100);
  private static final AccountClosed CLOSED = new AccountClosed();

  private final DeciderSpec<AccountCommand, AccountEvent, AccountState, AccountRejection> spec =
      DeciderSpec.of(Account.DECIDER);

  // --- opening

  @Test
  void opensANewAccount() {
    AccountState state = spec.given()
        .when(new OpenAccount("Ada Lovelace", "EUR"))
        .then(OPENED);
    assertThat(state).isEqualTo(new AccountState(Status.OPEN, "Ada Lovelace", "EUR", 0, 1));
  }

  @Test
  void refusesToOpenAnOpenAccountTwice() {
    spec.given(OPENED).when(new OpenAccount("Someone Else", "USD"))
        .thenRejectedWith(new AccountAlreadyExists());
  }

  @Test
  void refusesToReopenAClosedAccount() {
    spec.given(OPENED, CLOSED).when(new OpenAccount("Ada Lovelace", "EUR"))
        .thenRejectedWith(new AccountAlreadyExists());
  }

  @ParameterizedTest
  @ValueSource(strings = {"eur", "EURO", "", "EU", "E1R", "ÉUR", "ABC"})
  void refusesAnInvalidCurrency(String currency) {
    spec.given().when(new OpenAccount("Ada", currency)).thenRejectedWith(new InvalidCurrency(currency));
  }

  @Test
  void refusesAMissingCurrency() {
    spec.given().when(new OpenAccount("Ada", null)).thenRejectedWith(new InvalidCurrency(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", " \t\n"})
  void refusesABlankOwner(String owner) {
    spec.given().when(new OpenAccount(owner, "EUR")).thenRejectedWith(new InvalidOwner(owner));
  }

  @Test
  void refusesAMissingOwner() {
    spec.given().when(new OpenAccount(null, "EUR")).thenRejectedWith(new InvalidOwner(null));
  }

  @Test
  void acceptsAnOwnerUpToTheMaximumLengthOnly() {
    String longest = "a".repeat(Account.MAX_OWNER_LENGTH);
    spec.given().when(new OpenAccount(longest, "EUR")).then(new AccountOpened(longest, "EUR"));

    String tooLong = longest + "a";
    spec.given().when(new OpenAccount(tooLong, "EUR")).thenRejectedWith(new InvalidOwner(tooLong));
  }

  // --- deposits

  @Test
  void depositsMoney() {
    AccountState state = spec.given(OPENED).when(new Deposit(100, "salary")).then(DEPOSITED_100);
    assertThat(state.balance()).isEqualTo(100);
  }

  @Test
  void depositAddsToTheBalance() {
    spec.given(OPENED, DEPOSITED_100).when(new Deposit(50, ""))
        .then(new MoneyDeposited(50, "", 150));
  }

  @Test
  void refusesADepositToAnUnknownAccount() {
    spec.given().when(new Deposit(100, "salary")).thenRejectedWith(new AccountNotFound());
  }

  @ParameterizedTest
  @MethodSource("invalidAmounts")
  void refusesAnInvalidDepositAmount(long amount) {
    spec.given(OPENED).when(new Deposit(amount, "x")).thenRejectedWith(new InvalidAmount(amount));
  }

  @ParameterizedTest
  @MethodSource("invalidAmounts")
  void refusesAnInvalidWithdrawalAmount(long amount) {
    spec.given(OPENED, DEPOSITED_100).when(new Withdraw(amount, "x"))
        .thenRejectedWith(new InvalidAmount(amount));
  }

  static Stream<Long> invalidAmounts() {
    return Stream.of(0L, -1L, Long.MIN_VALUE, Account.MAX_AMOUNT + 1, Long.MAX_VALUE);
  }

  @Test
  void acceptsTheMaximumAmount() {
    spec.given(OPENED).when(new Deposit(Account.MAX_AMOUNT, ""))
        .then(new MoneyDeposited(Account.MAX_AMOUNT, "", Account.MAX_AMOUNT));
  }

  @Test
  void refusesADepositThatWouldExceedTheMaximumBalance() {
    AccountState nearlyFull = new AccountState(Status.OPEN, "Ada", "EUR", Account.MAX_BALANCE - 10, 42);

    spec.givenState(nearlyFull).when(new Deposit(11, "")).thenRejectedWith(new InvalidAmount(11));
    spec.givenState(nearlyFull).when(new Deposit(Account.MAX_AMOUNT, ""))
        .thenRejectedWith(new InvalidAmount(Account.MAX_AMOUNT));
    AccountState full = spec.givenState(nearlyFull).when(new Deposit(10, ""))
        .then(new MoneyDeposited(10, "", Account.MAX_BALANCE));
    assertThat(full.balance()).isEqualTo(Account.MAX_BALANCE).isPositive();
  }

  @Test
  void acceptsAnEmptyReferenceButNotAMissingOne() {
    spec.given(OPENED).when(new Deposit(1, "")).then(new MoneyDeposited(1, "", 1));
    spec.given(OPENED).when(new Deposit(1, null)).thenRejectedWith(new InvalidReference());
    spec.given(OPENED, DEPOSITED_100).when(new Withdraw(1, null)).thenRejectedWith(new InvalidReference());
  }

  @Test
  void acceptsAReferenceUpToTheMaximumLengthOnly() {
    String longest = "r".repeat(Account.MAX_REFERENCE_LENGTH);
    spec.given(OPENED).when(new Deposit(1, longest)).then(new MoneyDeposited(1, longest, 1));
    spec.given(OPENED).when(new Deposit(1, longest + "r")).thenRejectedWith(new InvalidReference());
    spec.given(OPENED, DEPOSITED_100).when(new Withdraw(1, longest + "r"))
        .thenRejectedWith(new InvalidReference());
  }

  // --- text: only what every projection can store exactly, and no control characters

  @ParameterizedTest
  @ValueSource(strings = {"x\u0000y", "\u0000", "x\ud800y", "x\udc00", "\udbff", "y\ud800",
      "Ada\u001b[31m", "Ada\nLovelace", "tab\there", "del\u007f", "next\u0085line", "csi\u009b"})
  void refusesAnOwnerThatIsNotStorableTextOrHoldsAControlCharacter(String owner) {
    spec.given().when(new OpenAccount(owner, "EUR")).thenRejectedWith(new InvalidOwner(owner));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\u0000b", "\u0000", "a\ud800b", "\udfff", "x\ud83d", "line\nbreak", "\r",
      "\u001b[2J", "bell\u0007", "c1\u0080"})
  void refusesAReferenceThatIsNotStorableTextOrHoldsAControlCharacter(String reference) {
    spec.given(OPENED).when(new Deposit(1, reference)).thenRejectedWith(new InvalidReference());
    spec.given(OPENED, DEPOSITED_100).when(new Withdraw(1, reference)).thenRejectedWith(new InvalidReference());
  }

  @Test
  void acceptsAnyOtherUnicodeText() {
    // Supplementary characters (surrogate pairs), joiners, right-to-left and combining marks are text.
    String owner = "Zo\u00eb \u674e \ud83d\udc69\u200d\ud83d\udcbb \u0645\u0631\u064a\u0645 e\u0301";
    spec.given().when(new OpenAccount(owner, "EUR")).then(new AccountOpened(owner, "EUR"));
    String reference = "\u202bfacture\u202c \ud834\udd1e \u00a0\ufeff\ufffd";
    spec.given(OPENED).when(new Deposit(1, reference)).then(new MoneyDeposited(1, reference, 1));
  }

  @Test
  void countsLengthsInUnicodeCodePoints() {
    String face = "\ud83d\ude00";
    String owner = face.repeat(Account.MAX_OWNER_LENGTH);
    spec.given().when(new OpenAccount(owner, "EUR")).then(new AccountOpened(owner, "EUR"));
    spec.given().when(new OpenAccount(owner + face, "EUR")).thenRejectedWith(new InvalidOwner(owner + face));

    String reference = face.repeat(Account.MAX_REFERENCE_LENGTH);
    spec.given(OPENED).when(new Deposit(1, reference)).then(new MoneyDeposited(1, reference, 1));
    spec.given(OPENED).when(new Deposit(1, reference + "r")).thenRejectedWith(new InvalidReference());
  }

  // --- withdrawals

  @Test
  void withdrawsMoney() {
    spec.given(OPENED, DEPOSITED_100).when(new Withdraw(30, "rent"))
        .then(new MoneyWithdrawn(30, "rent", 70));
  }

  @Test
  void withdrawsTheExactBalance() {
    AccountState state = spec.given(OPENED, DEPOSITED_100).when(new Withdraw(100, "all"))
        .then(new MoneyWithdrawn(100, "all", 0));
    assertThat(state.balance()).isZero();
  }

  @Test
  void refusesToWithdrawMoreThanTheBalance() {
    InsufficientFunds rejection = spec.given(OPENED, DEPOSITED_100).when(new Withdraw(101, "too much"))
        .thenRejected(InsufficientFunds.class);
    assertThat(rejection).isEqualTo(new InsufficientFunds(100, 101));
    assertThat(rejection.detail()).contains("100", "101");
  }

  @Test
  void refusesToWithdrawFromAnEmptyAccount() {
    spec.given(OPENED).when(new Withdraw(1, "")).thenRejectedWith(new InsufficientFunds(0, 1));
  }

  @Test
  void refusesAWithdrawalFromAnUnknownAccount() {
    spec.given().when(new Withdraw(1, "")).thenRejectedWith(new AccountNotFound());
  }

  // --- closing

  @Test
  void closesAnAccountWithAZeroBalance() {
    AccountState state = spec.given(OPENED).when(new Close()).then(CLOSED);
    assertThat(state.status()).isEqualTo(Status.CLOSED);
  }

  @Test
  void closesAnAccountEmptiedByWithdrawals() {
    spec.given(OPENED, DEPOSITED_100, new MoneyWithdrawn(100, "", 0)).when(new Close()).then(CLOSED);
  }

  @Test
  void refusesToCloseWithANonZeroBalance() {
    spec.given(OPENED, DEPOSITED_100).when(new Close()).thenRejectedWith(new BalanceNotZero(100));
  }

  @Test
  void refusesToCloseAnUnknownAccount() {
    spec.given().when(new Close()).thenRejectedWith(new AccountNotFound());
  }

  @Test
  void aClosedAccountRefusesDeposits() {
    spec.given(OPENED, CLOSED).when(new Deposit(100, "")).thenRejectedWith(new AccountClosedRejection());
  }

  @Test
  void aClosedAccountRefusesWithdrawals() {
    spec.given(OPENED, CLOSED).when(new Withdraw(1, "")).thenRejectedWith(new AccountClosedRejection());
  }

  @Test
  void aClosedAccountRefusesToCloseAgain() {
    spec.given(OPENED, CLOSED).when(new Close()).thenRejectedWith(new AccountClosedRejection());
  }

  @Test
  void aClosedAccountRefusesEvenInvalidCommandsAsClosed() {
    spec.given(OPENED, CLOSED).when(new Deposit(-1, null)).thenRejectedWith(new AccountClosedRejection());
  }

  // --- transfers: the source's legs

  private static final String T1 = "transfer-1";
  private static final String TARGET = "account-b";
  private static final MoneyTransferredOut OUT_30 = new MoneyTransferredOut(T1, TARGET, 30, "EUR", 70);

  @Test
  void debitsForATransferAndKeepsItInFlight() {
    AccountState state = spec.given(OPENED, DEPOSITED_100).when(new DebitForTransfer(T1, TARGET, 30)).then(OUT_30);
    assertThat(state.balance()).isEqualTo(70);
    assertThat(state.inFlight()).isEqualTo(Map.of(T1, 30L));
  }

  @Test
  void aDebitSentAgainWhileInFlightChangesNothing() {
    spec.given(OPENED, DEPOSITED_100, OUT_30).when(new DebitForTransfer(T1, TARGET, 30)).then();
  }

  @Test
  void refusesADebitLargerThanTheBalance() {
    spec.given(OPENED, DEPOSITED_100, OUT_30).when(new DebitForTransfer("transfer-2", TARGET, 71))
        .thenRejectedWith(new InsufficientFunds(70, 71));
  }

  @Test
  void refusesADebitOfAnUnknownOrClosedAccount() {
    spec.given().when(new DebitForTransfer(T1, TARGET, 1)).thenRejectedWith(new AccountNotFound());
    spec.given(OPENED, CLOSED).when(new DebitForTransfer(T1, TARGET, 1)).thenRejectedWith(new AccountClosedRejection());
  }

  @ParameterizedTest
  @MethodSource("invalidAmounts")
  void refusesAnInvalidTransferAmount(long amount) {
    spec.given(OPENED, DEPOSITED_100).when(new DebitForTransfer(T1, TARGET, amount))
        .thenRejectedWith(new InvalidAmount(amount));
    spec.given(OPENED).when(new CreditForTransfer(T1, TARGET, amount, "EUR"))
        .thenRejectedWith(new InvalidAmount(amount));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "a\u0000"})
  void refusesALegWithoutUsableIds(String id) {
    spec.given(OPENED, DEPOSITED_100).when(new DebitForTransfer(id, TARGET, 1)).thenRejectedWith(new InvalidTransfer());
    spec.given(OPENED, DEPOSITED_100).when(new DebitForTransfer(T1, id, 1)).thenRejectedWith(new InvalidTransfer());
    spec.given(OPENED).when(new CreditForTransfer(id, TARGET, 1, "EUR")).thenRejectedWith(new InvalidTransfer());
    spec.given(OPENED).when(new CreditForTransfer(T1, id, 1, "EUR")).thenRejectedWith(new InvalidTransfer());
  }

  @Test
  void legsWithoutATransferIdAreRefusedOrChangeNothing() {
    spec.given(OPENED, DEPOSITED_100, OUT_30).when(new DebitForTransfer(null, TARGET, 1))
        .thenRejectedWith(new InvalidTransfer());
    spec.given(OPENED, DEPOSITED_100, OUT_30).when(new RefundTransfer(null)).then();
    spec.given(OPENED, DEPOSITED_100, OUT_30).when(new SettleTransfer(null)).then();
  }

  @Test
  void refundsATransferInFlightOnce() {
    AccountState refunded = spec.given(OPENED, DEPOSITED_100, OUT_30).when(new RefundTransfer(T1))
        .then(new TransferRefunded(T1, 30, 100));
    assertThat(refunded.inFlight()).isEmpty();
    spec.givenState(refunded).when(new RefundTransfer(T1)).then();
    spec.givenState(refunded).when(new SettleTransfer(T1)).then();
  }

  @Test
  void aRefundNeedsNoRoomItDidNotKeep() {
    AccountState full = spec.given(OPENED, new MoneyDeposited(Account.MAX_AMOUNT, "", Account.MAX_AMOUNT))
        .when(new DebitForTransfer(T1, TARGET, Account.MAX_AMOUNT))
        .then(new MoneyTransferredOut(T1, TARGET, Account.MAX_AMOUNT, "EUR", 0));
    AccountState nearlyFull = new AccountState(Status.OPEN, "Ada", "EUR", Account.MAX_BALANCE - Account.MAX_AMOUNT,
        full.inFlight(), 9);
    spec.givenState(nearlyFull).when(new Deposit(1, "")).thenRejectedWith(new InvalidAmount(1));
    spec.givenState(nearlyFull).when(new CreditForTransfer("transfer-2", TARGET, 1, "EUR"))
        .thenRejectedWith(new InvalidAmount(1));
    spec.givenState(nearlyFull).when(new RefundTransfer(T1))
        .then(new TransferRefunded(T1, Account.MAX_AMOUNT, Account.MAX_BALANCE));
  }

  @Test
  void settlesATransferInFlightOnce() {
    AccountState settled = spec.given(OPENED, DEPOSITED_100, OUT_30).when(new SettleTransfer(T1))
        .then(new TransferSettled(T1));
    assertThat(settled.inFlight()).isEmpty();
    assertThat(settled.balance()).isEqualTo(70);
    spec.givenState(settled).when(new SettleTransfer(T1)).then();
    spec.givenState(settled).when(new RefundTransfer(T1)).then();
  }

  @Test
  void refusesToCloseWhileATransferIsInFlight() {
    AccountState emptied = spec.given(OPENED, new MoneyDeposited(30, "", 30)).when(new DebitForTransfer(T1, TARGET, 30))
        .then(new MoneyTransferredOut(T1, TARGET, 30, "EUR", 0));
    spec.givenState(emptied).when(new Close()).thenRejectedWith(new TransferInFlight(1));
    AccountState settled = spec.givenState(emptied).when(new SettleTransfer(T1)).then(new TransferSettled(T1));
    spec.givenState(settled).when(new Close()).then(CLOSED);
  }

  // --- transfers: the target's leg

  @Test
  void creditsATransfer() {
    spec.given(OPENED, DEPOSITED_100).when(new CreditForTransfer(T1, "account-a", 30, "EUR"))
        .then(new MoneyTransferredIn(T1, "account-a", 30, 130));
  }

  @Test
  void refusesACreditInAnotherCurrency() {
    spec.given(OPENED).when(new CreditForTransfer(T1, "account-a", 30, "USD"))
        .thenRejectedWith(new CurrencyMismatch("EUR", "USD"));
  }

  @Test
  void refusesACreditToAnUnknownOrClosedAccount() {
    spec.given().when(new CreditForTransfer(T1, "account-a", 30, "EUR")).thenRejectedWith(new AccountNotFound());
    spec.given(OPENED, CLOSED).when(new CreditForTransfer(T1, "account-a", 30, "EUR"))
        .thenRejectedWith(new AccountClosedRejection());
  }

  @Test
  void refusesACreditPastTheMaximumBalance() {
    AccountState nearlyFull = new AccountState(Status.OPEN, "Ada", "EUR", Account.MAX_BALANCE - 10, 42);
    spec.givenState(nearlyFull).when(new CreditForTransfer(T1, "account-a", 11, "EUR"))
        .thenRejectedWith(new InvalidAmount(11));
  }

  // --- state

  @Test
  void initialStateIsNewAndEmpty() {
    assertThat(Account.DECIDER.initialState())
        .isEqualTo(AccountState.initial())
        .isEqualTo(new AccountState(Status.NEW, "", "", 0, 0));
  }

  @Test
  void versionGrowsByOnePerEvent() {
    List<AccountEvent> history = List.of(
        OPENED,
        DEPOSITED_100,
        new MoneyWithdrawn(40, "", 60),
        new MoneyDeposited(5, "", 65),
        new MoneyWithdrawn(65, "", 0),
        CLOSED);
    AccountState state = AccountState.initial();
    for (int i = 0; i < history.size(); i++) {
      state = Account.DECIDER.evolve(state, history.get(i));
      assertThat(state.version()).isEqualTo(i + 1);
    }
    assertThat(Account.DECIDER.fold(history))
        .isEqualTo(state)
        .isEqualTo(new AccountState(Status.CLOSED, "Ada Lovelace", "EUR", 0, 6));
  }

  @Test
  void rejectionCodesAreStableAndDetailed() {
    List<AccountRejection> all = List.of(
        new AccountNotFound(), new AccountAlreadyExists(), new AccountClosedRejection(),
        new InsufficientFunds(1, 2), new BalanceNotZero(1), new InvalidAmount(0),
        new InvalidCurrency("eur"), new InvalidOwner(""), new InvalidReference(), new TransferInFlight(1),
        new CurrencyMismatch("EUR", "USD"), new InvalidTransfer());
    assertThat(all).extracting(AccountRejection::code).containsExactly(
        "account-not-found", "account-already-exists", "account-closed",
        "insufficient-funds", "balance-not-zero", "invalid-amount",
        "invalid-currency", "invalid-owner", "invalid-reference", "transfer-in-flight",
        "currency-mismatch", "invalid-transfer");
    assertThat(all).allSatisfy(r -> assertThat(r.detail()).isNotBlank());
  }
}
