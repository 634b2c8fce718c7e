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
import dev.tally.account.domain.AccountRejection.BalanceNotZero;
import dev.tally.account.domain.AccountRejection.InsufficientFunds;
import dev.tally.runtime.core.Decision;
import dev.tally.runtime.core.Decision.Accepted;
import dev.tally.runtime.core.Decision.Rejected;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/** Invariants of the account ledger over random command sequences, valid and invalid alike. */
class AccountPropertiesTest {

  private static final Account DECIDER = Account.DECIDER;

  @Property
  void theLedgerStaysConsistentWhateverTheCommands(@ForAll("commandSequences") List<AccountCommand> commands) {
    AccountState state = DECIDER.initialState();
    List<AccountEvent> log = new ArrayList<>();
    long deposited = 0;
    long withdrawn = 0;
    long transferredIn = 0;
    long settled = 0;

    for (AccountCommand command : commands) {
      Decision<AccountEvent, AccountRejection> decision = DECIDER.decide(command, state);
      assertThat(DECIDER.decide(command, state)).as("decide is deterministic").isEqualTo(decision);

      switch (decision) {
        case Accepted<AccountEvent, AccountRejection> accepted -> {
          for (AccountEvent event : accepted.events()) {
            long versionBefore = state.version();
            AccountState before = state;
            state = DECIDER.evolve(state, event);
            log.add(event);
            Statistics.label("outcome").collect(event.getClass().getSimpleName());

            assertThat(state.version()).isEqualTo(versionBefore + 1);
            switch (event) {
              case MoneyDeposited d -> {
                assertThat(d.amount()).isBetween(1L, Account.MAX_AMOUNT);
                assertThat(d.balanceAfter()).isEqualTo(state.balance());
                deposited += d.amount();
              }
              case MoneyWithdrawn w -> {
                assertThat(w.amount()).isBetween(1L, Account.MAX_AMOUNT);
                assertThat(w.balanceAfter()).isEqualTo(state.balance());
                withdrawn += w.amount();
              }
              case AccountOpened o -> assertThat(state.balance()).isZero();
              case AccountClosed c -> {
                assertThat(state.balance()).isZero();
                assertThat(state.inFlight()).as("nothing in flight on a closed account").isEmpty();
              }
              case MoneyTransferredOut out -> {
                assertThat(before.inFlight()).as("debited once per transfer").doesNotContainKey(out.transferId());
                assertThat(out.amount()).isBetween(1L, Account.MAX_AMOUNT);
                assertThat(out.currency()).isEqualTo(state.currency());
              }
              case MoneyTransferredIn in -> transferredIn += in.amount();
              case TransferRefunded refunded ->
                  assertThat(refunded.amount()).isEqualTo(before.inFlight().get(refunded.transferId()));
              case TransferSettled s -> settled += before.inFlight().get(s.transferId());
            }
          }
        }
        case Rejected<AccountEvent, AccountRejection> rejected -> {
          Statistics.label("outcome").collect(rejected.rejection().code());
          // Nothing is appended; the figures a rejection reports match the state.
          if (rejected.rejection() instanceof InsufficientFunds r) {
            assertThat(r.balance()).isEqualTo(state.balance());
            assertThat(r.requested()).isGreaterThan(state.balance());
          }
          if (rejected.rejection() instanceof BalanceNotZero r) {
            assertThat(r.balance()).isEqualTo(state.balance()).isNotZero();
          }
        }
      }

      assertThat(state.balance()).as("balance").isBetween(0L, Account.MAX_BALANCE);
      assertThat(state.balance() + state.inFlightAmount()).as("balance and money in flight")
          .isEqualTo(deposited - withdrawn + transferredIn - settled);
      assertThat(state.balance() + state.inFlightAmount()).as("room for every refund").isLessThanOrEqualTo(Account.MAX_BALANCE);
      assertThat(state.version()).as("version").isEqualTo(log.size());
    }

    assertThat(DECIDER.fold(log)).as("replaying the log").isEqualTo(state);

    Statistics.label("outcome").coverage(coverage -> {
      coverage.check("AccountOpened").count(n -> n > 0);
      coverage.check("MoneyDeposited").count(n -> n > 0);
      coverage.check("MoneyWithdrawn").count(n -> n > 0);
      coverage.check("AccountClosed").count(n -> n > 0);
      coverage.check("insufficient-funds").count(n -> n > 0);
      coverage.check("invalid-amount").count(n -> n > 0);
      coverage.check("account-closed").count(n -> n > 0);
      coverage.check("MoneyTransferredOut").count(n -> n > 0);
      coverage.check("MoneyTransferredIn").count(n -> n > 0);
      coverage.check("TransferRefunded").count(n -> n > 0);
      coverage.check("TransferSettled").count(n -> n > 0);
    });
  }

  @Property
  void aRejectedCommandLeavesTheStateAsItWas(@ForAll("commandSequences") List<AccountCommand> commands) {
    AccountState state = DECIDER.initialState();
    for (AccountCommand command : commands) {
      Decision<AccountEvent, AccountRejection> decision = DECIDER.decide(command, state);
      List<AccountEvent> toAppend = switch (decision) {
        case Accepted<AccountEvent, AccountRejection> accepted -> accepted.events();
        case Rejected<AccountEvent, AccountRejection> rejected -> List.of();
      };
      AccountState next = DECIDER.fold(state, toAppend);
      if (decision instanceof Rejected) {
        assertThat(next).isEqualTo(state);
      } else {
        assertThat(next.version()).isEqualTo(state.version() + toAppend.size());
      }
      state = next;
    }
  }

  /**
   * Events are copied into every projection and kept forever: whatever text the rules accept is
   * well-formed Unicode (it survives UTF-8, which Avro, JDBC and JSON all use), holds no control
   * character (NUL among them, which PostgreSQL refuses), and respects the length in code points.
   */
  @Property
  void acceptedTextIsUnicodeWithoutControlCharacters(@ForAll("texts") String owner, @ForAll("texts") String reference) {
    Decision<AccountEvent, AccountRejection> open = DECIDER.decide(new OpenAccount(owner, "EUR"), DECIDER.initialState());
    Decision<AccountEvent, AccountRejection> deposit = DECIDER.decide(new Deposit(1, reference),
        DECIDER.fold(List.of(new AccountOpened("Ada", "EUR"))));
    Statistics.label("owner").collect(open instanceof Accepted ? "accepted" : "rejected");
    Statistics.label("reference").collect(deposit instanceof Accepted ? "accepted" : "rejected");

    for (AccountEvent event : open instanceof Accepted<AccountEvent, AccountRejection> a ? a.events() : List.<AccountEvent>of()) {
      assertStorable(((AccountOpened) event).owner(), Account.MAX_OWNER_LENGTH);
    }
    for (AccountEvent event : deposit instanceof Accepted<AccountEvent, AccountRejection> a ? a.events() : List.<AccountEvent>of()) {
      assertStorable(((MoneyDeposited) event).reference(), Account.MAX_REFERENCE_LENGTH);
    }
    Statistics.label("owner").coverage(c -> c.check("accepted").count(n -> n > 0));
    Statistics.label("reference").coverage(c -> c.check("rejected").count(n -> n > 0));
  }

  private static void assertStorable(String text, int maxLength) {
    assertThat(new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).as("UTF-8 round trip")
        .isEqualTo(text);
    assertThat(text.codePoints().filter(c -> Character.getType(c) == Character.CONTROL)).as("control characters")
        .isEmpty();
    assertThat(text.codePointCount(0, text.length())).as("length").isLessThanOrEqualTo(maxLength);
  }

  /** Text of every kind, weighted towards what stores refuse: controls, NUL, unpaired surrogates. */
  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> pieces = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.strings().alpha().numeric().withChars(' ', '-', '\'').ofMinLength(1).ofMaxLength(8)),
        Tuple.of(1, Arbitraries.chars().range('\u0000', '\u001f').map(String::valueOf)),
        Tuple.of(1, Arbitraries.chars().range('\u007f', '\u009f').map(String::valueOf)),
        Tuple.of(1, Arbitraries.chars().range('\ud800', '\udfff').map(String::valueOf)),
        Tuple.of(2, Arbitraries.integers().between(0x10000, Character.MAX_CODE_POINT).map(Character::toString)),
        Tuple.of(2, Arbitraries.chars().all().map(String::valueOf)));
    return pieces.list().ofMaxSize(12).map(list -> String.join("", list));
  }

  @Provide
  Arbitrary<List<AccountCommand>> commandSequences() {
    Arbitrary<AccountCommand> first = Arbitraries.frequencyOf(
        Tuple.of(9, validOpen()),
        Tuple.of(1, anyCommand()));
    return Combinators.combine(first, anyCommand().list().ofMaxSize(40)).as((head, tail) -> {
      List<AccountCommand> all = new ArrayList<>(tail.size() + 1);
      all.add(head);
      all.addAll(tail);
      return all;
    });
  }

  private Arbitrary<AccountCommand> anyCommand() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, opens()),
        Tuple.of(6, deposits()),
        Tuple.of(6, withdrawals()),
        Tuple.of(1, Arbitraries.just(new Close())),
        Tuple.of(3, legs()));
  }

  /** Transfer legs on a few transfer ids, so that legs meet again: replays, settles, refunds. */
  private Arbitrary<AccountCommand> legs() {
    Arbitrary<String> transfers = Arbitraries.of("t1", "t2", "t3", "").injectNull(0.02);
    Arbitrary<String> counterparties = Arbitraries.of("a1", "a2", " ").injectNull(0.02);
    Arbitrary<String> currencies = Arbitraries.of("EUR", "USD");
    return Arbitraries.oneOf(
        Combinators.combine(transfers, counterparties, amounts()).as(DebitForTransfer::new),
        Combinators.combine(transfers, counterparties, amounts(), currencies).as(CreditForTransfer::new),
        transfers.map(RefundTransfer::new),
        transfers.map(SettleTransfer::new));
  }

  private Arbitrary<AccountCommand> validOpen() {
    return Combinators.combine(Arbitraries.of("Ada", "Grace Hopper"), Arbitraries.of("EUR", "USD", "JPY"))
        .as(OpenAccount::new);
  }

  private Arbitrary<AccountCommand> opens() {
    Arbitrary<String> owners = Arbitraries.of("Ada", "", " ", "o".repeat(Account.MAX_OWNER_LENGTH + 1))
        .injectNull(0.05);
    Arbitrary<String> currencies = Arbitraries.of("EUR", "USD", "eur", "EURO", "", "ABC").injectNull(0.05);
    return Combinators.combine(owners, currencies).as(OpenAccount::new);
  }

  private Arbitrary<AccountCommand> deposits() {
    return Combinators.combine(amounts(), references()).as(Deposit::new);
  }

  private Arbitrary<AccountCommand> withdrawals() {
    return Combinators.combine(amounts(), references()).as(Withdraw::new);
  }

  /** Mostly small valid amounts, so withdrawals often succeed; sometimes anything at all. */
  private Arbitrary<Long> amounts() {
    return Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.longs().between(1, 500)),
        Tuple.of(1, Arbitraries.longs().between(1, Account.MAX_AMOUNT)),
        Tuple.of(1, Arbitraries.longs()),
        Tuple.of(1, Arbitraries.of(0L, -1L, Account.MAX_AMOUNT, Account.MAX_AMOUNT + 1,
            Long.MIN_VALUE, Long.MAX_VALUE)));
  }

  private Arbitrary<String> references() {
    return Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.strings().alpha().ofMaxLength(12)),
        Tuple.of(1, Arbitraries.of("", "r".repeat(Account.MAX_REFERENCE_LENGTH),
            "r".repeat(Account.MAX_REFERENCE_LENGTH + 1))))
        .injectNull(0.02);
  }
}
