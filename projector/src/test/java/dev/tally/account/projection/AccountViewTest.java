package dev.tally.account.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.runtime.projection.DeadLetters;
import dev.tally.runtime.projection.HistoryFold;
import dev.tally.runtime.projection.VersionGate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The account projection's one fold, and the rules a whole history is folded by. */
class AccountViewTest {

  private static final AccountView VIEW = AccountView.VIEW;
  private static final UUID ALICE = UUID.fromString("00000000-0000-0000-0000-00000000a11c");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.000001Z");

  private final HistoryFold<AccountEvent, AccountRow> history = new HistoryFold<>(AccountProjection.PROJECTION, VIEW);

  @Test
  void aHistoryFoldsIntoTheAccountRowAndOneLinePerMoneyEvent() {
    List<AccountEvent> events = List.of(opened(1), deposited(2, 100, 100), withdrawn(3, 30, 70), closed(4));

    assertThat(VIEW.fold(events)).isEqualTo(new AccountRow(ALICE, "alice", "EUR", 70L, AccountRow.Status.CLOSED, 4,
        at(1), at(4)));
    assertThat(events.stream().flatMap(e -> AccountView.line(e).stream()).toList()).containsExactly(
        new TransactionLine(ALICE, 2, TransactionLine.Type.DEPOSIT, 100, 100, "ref-2", at(2), id(2)),
        new TransactionLine(ALICE, 3, TransactionLine.Type.WITHDRAWAL, 30, 70, "ref-3", at(3), id(3)));
  }

  @Test
  void whatTheEventsDoNotTellStaysUnknown() {
    AccountRow closedOnly = VIEW.fold(List.of(closed(4)));

    assertThat(closedOnly).isEqualTo(new AccountRow(ALICE, null, null, null, AccountRow.Status.CLOSED, 4, null, at(4)));
    assertThat(closedOnly.opened()).isFalse();
  }

  @Test
  void anEventAtOrBelowTheRowsVersionChangesNothingButTheOpeningFacts() {
    AccountRow row = VIEW.fold(List.of(opened(1), deposited(2, 100, 100), deposited(3, 50, 150)));

    assertThat(VIEW.evolve(row, deposited(2, 100, 100))).isEqualTo(row);
    assertThat(VIEW.evolve(row, opened(1))).isEqualTo(row);
    AccountRow openedLate = VIEW.fold(List.of(deposited(3, 50, 150), opened(1)));
    assertThat(openedLate).isEqualTo(new AccountRow(ALICE, "alice", "EUR", 150L, null, 3, at(1), at(3)));
    assertThat(openedLate.opened()).isTrue();
  }

  @Test
  void aWholeHistoryFoldsContiguousVersionsAndPassesOverTheSameEventAgain() {
    assertThat(history.add(opened(1))).isInstanceOf(VersionGate.Apply.class);
    assertThat(history.add(deposited(2, 100, 100))).isInstanceOf(VersionGate.Apply.class);
    assertThat(history.add(deposited(2, 100, 100))).isInstanceOf(VersionGate.Duplicate.class);

    assertThat(history.states()).isEqualTo(Map.of(ALICE,
        new AccountRow(ALICE, "alice", "EUR", 100L, AccountRow.Status.OPEN, 2, at(1), at(2))));
  }

  @Test
  void aGapAConflictAndAnOverlapAreNotFolded() {
    history.add(opened(1));
    history.add(deposited(2, 100, 100));
    Map<UUID, AccountRow> before = history.states();

    assertFault(history.add(deposited(4, 10, 110)), DeadLetters.Reason.GAP,
        "gap: version 4 of aggregate " + ALICE + " follows version 2; version 3 is missing");
    AccountEvent.Deposited other = new AccountEvent.Deposited(ALICE, 2, at(2), UUID.randomUUID(), 100, "ref-2", 100);
    assertFault(history.add(other), DeadLetters.Reason.CONFLICT, "conflict: version 2 of aggregate " + ALICE
        + " is already applied as event " + id(2));
    assertFault(history.add(opened(1)), DeadLetters.Reason.OVERLAP, "overlap: version 1 of aggregate " + ALICE);
    assertThat(history.states()).isEqualTo(before);
  }

  @Test
  void aHistoryMustBeginAtVersionOne() {
    assertFault(history.add(deposited(2, 100, 100)), DeadLetters.Reason.GAP, "version 1 is missing");
    assertThat(history.states()).isEmpty();
  }

  @Test
  void aBalanceThatDoesNotFollowFromTheOneBeforeAndTheAmountIsNotFolded() {
    history.add(opened(1));
    history.add(deposited(2, 100, 100));

    assertFault(history.add(withdrawn(3, 30, 80)), DeadLetters.Reason.INVALID,
        "inconsistent: version 3 of account " + ALICE + " says balance 80 after balance 100, not 70");
    assertThat(history.states().get(ALICE).version()).isEqualTo(2);
    assertThat(history.add(withdrawn(3, 30, 70))).isInstanceOf(VersionGate.Apply.class);
  }

  private static void assertFault(VersionGate.Verdict verdict, DeadLetters.Reason reason, String message) {
    assertThat(verdict).isInstanceOfSatisfying(VersionGate.Fault.class, fault -> {
      assertThat(fault.reason()).isEqualTo(reason);
      assertThat(fault.message()).contains(message);
    });
  }

  private static AccountEvent opened(long version) {
    return new AccountEvent.Opened(ALICE, version, at(version), id(version), "alice", "EUR");
  }

  private static AccountEvent deposited(long version, long amount, long balanceAfter) {
    return new AccountEvent.Deposited(ALICE, version, at(version), id(version), amount, "ref-" + version, balanceAfter);
  }

  private static AccountEvent withdrawn(long version, long amount, long balanceAfter) {
    return new AccountEvent.Withdrawn(ALICE, version, at(version), id(version), amount, "ref-" + version, balanceAfter);
  }

  private static AccountEvent closed(long version) {
    return new AccountEvent.Closed(ALICE, version, at(version), id(version));
  }

  private static Instant at(long version) {
    return T0.plusSeconds(version);
  }

  private static UUID id(long version) {
    return new UUID(0xe7e17L, version);
  }
}
