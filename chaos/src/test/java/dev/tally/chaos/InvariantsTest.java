package dev.tally.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.chaos.Invariants.Verdict;
import dev.tally.chaos.LogScan.Event;
import dev.tally.chaos.LogScan.EventKind;
import dev.tally.chaos.Request.Answer;
import dev.tally.chaos.Request.Kind;
import dev.tally.chaos.Request.Outcome;
import dev.tally.chaos.Request.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each kind of violation, planted in otherwise consistent observations of a run, is caught and
 * named; the consistent observations pass.
 */
class InvariantsTest {

  private static final String QUIET = "no fault";
  private static final String FAULT = "kill -9 command API";
  private static final String ALICE = "00000000-0000-0000-0000-00000000000a";
  private static final String BOB = "00000000-0000-0000-0000-00000000000b";
  private static final long FAULT_BEGAN = 100_000_000_000L;

  private final List<Outcome> requests = new ArrayList<>();
  private final List<Event> events = new ArrayList<>();
  private final Map<String, Long> modelBalances = new HashMap<>();
  private final Map<String, String> modelLines = new HashMap<>();
  private final Map<String, Long> logBalances = new HashMap<>();
  private final Map<String, Long> queryBalances = new HashMap<>();
  private final Traffic.PhaseStats quiet = new Traffic.PhaseStats();
  private final Traffic.PhaseStats fault = new Traffic.PhaseStats();
  private Invariants.Recovery recovery = new Invariants.Recovery(4.2, 120, 10.5, 0);
  private long parkedKeys;
  private int offset;

  /** Alice opened, +100, -30, a refused withdrawal, +5 (during the fault); Bob opened, +7. Everything consistent. */
  @BeforeEach
  void aConsistentRun() {
    open("r1", ALICE, QUIET);
    money("r2", Kind.DEPOSIT, ALICE, 100, 2, QUIET);
    money("r3", Kind.WITHDRAW, ALICE, 30, 3, QUIET);
    refused("r4", Kind.WITHDRAW, ALICE, 500, 409, "/problems/insufficient-funds", QUIET);
    open("r5", BOB, QUIET);
    money("r6", Kind.DEPOSIT, BOB, 7, 2, FAULT);
    money("r7", Kind.DEPOSIT, ALICE, 5, 4, FAULT);
    balances(ALICE, 75);
    balances(BOB, 7);
  }

  @Test
  void consistentObservationsPassEveryCheck() {
    Invariants.Report report = check();

    assertThat(report.passed()).as(lines(report)).isTrue();
    assertThat(report.verdicts()).extracting(Verdict::name).containsExactly(QUIET, FAULT, "log", "read model", "balances");
    assertThat(verdict(report, QUIET).figures()).contains("acknowledged 4 (refused 1), lost 0, duplicated 0", "no fault");
    assertThat(verdict(report, FAULT).figures()).contains("acknowledged 2 (refused 0)", "recovery 4.2 s (restart 10.5 s)");
    assertThat(verdict(report, "log").figures()).contains("6 events, 2 accounts: versions contiguous on 2");
    assertThat(verdict(report, "balances").figures()).isEqualTo(
        "expected 82 over 2 accounts; log 82; read model 82; query API 82");
  }

  @Test
  void anAcknowledgedCommandMissingFromTheLogIsLost() {
    events.removeIf(event -> event.correlationId().equals("r7"));
    logBalances.put(ALICE, 70L);

    Invariants.Report report = check();

    assertThat(verdict(report, FAULT).violations()).anySatisfy(v -> assertThat(v).startsWith("lost: 1 (r7)"));
    assertThat(verdict(report, FAULT).figures()).contains("lost 1");
    assertThat(verdict(report, QUIET).passed()).isTrue();
    assertThat(verdict(report, "balances").violations()).anySatisfy(v -> assertThat(v).startsWith(
        "log: accounts whose balance is not their acknowledged deposits minus withdrawals: 1 (" + ALICE + " 70 instead of 75)"));
  }

  @Test
  void aCommandAppendedTwiceIsDuplicatedAndItsRepeatedVersionBreaksContiguity() {
    event(ALICE, 5, EventKind.DEPOSITED, 5, "r7");

    Invariants.Report report = check();

    assertThat(verdict(report, FAULT).violations()).anySatisfy(v -> assertThat(v).startsWith("duplicated: 1 (r7 x2)"));
    assertThat(verdict(report, "log").violations()).isEmpty();
    events.removeLast();
    event(ALICE, 4, EventKind.DEPOSITED, 5, "r7");
    assertThat(verdict(check(), "log").violations()).anySatisfy(v -> assertThat(v).startsWith(
        "versions repeated or going back: 1 (" + ALICE + " v4 then v4"));
  }

  @Test
  void aVersionGapIsCaught() {
    events.removeIf(event -> event.correlationId().equals("r7"));
    event(ALICE, 5, EventKind.DEPOSITED, 5, "r7");

    Invariants.Report report = check();

    assertThat(verdict(report, "log").violations()).containsExactly(
        "version gaps: 1 (" + ALICE + " v3 then v5 at 0@6)");
    assertThat(verdict(report, "log").figures()).contains("versions contiguous on 1");
    assertThat(verdict(report, FAULT).violations()).containsExactly(
        "in the log otherwise than acknowledged: 1 (r7 acknowledged as " + ALICE + " v4, in the log as " + ALICE + " v5)");
  }

  @Test
  void aWrongBalanceIsCaughtWhereverItIs() {
    modelBalances.put(ALICE, 70L);
    queryBalances.put(BOB, 0L);

    Verdict balances = verdict(check(), "balances");

    assertThat(balances.figures()).isEqualTo("expected 82 over 2 accounts; log 82; read model 77; query API 75");
    assertThat(balances.violations()).containsExactly(
        "read model: accounts whose balance is not their acknowledged deposits minus withdrawals: 1 (" + ALICE
            + " 70 instead of 75)",
        "query API: accounts whose balance is not their acknowledged deposits minus withdrawals: 1 (" + BOB
            + " 0 instead of 7)");
  }

  @Test
  void anAcknowledgedWriteMissingFromTheReadModelIsCaught() {
    modelLines.remove(ALICE + "/4");

    assertThat(verdict(check(), FAULT).violations()).containsExactly("acknowledged but not in the read model: 1 (r7)");
  }

  @Test
  void writesMissingFromTheReadModelAreTimedAgainstTheNextFaultWhichMayHaveHarmedThem() {
    modelLines.remove(ALICE + "/2");
    modelLines.remove(ALICE + "/3");

    assertThat(verdict(check(), QUIET).violations()).containsExactly("acknowledged but not in the read model: 2 (r2, r3); "
        + "answered from 2.5 s before to 2.0 s before the start of the next fault, " + FAULT);
  }

  @Test
  void aRefusedCommandThatWasAppendedAnywayIsCaught() {
    event(ALICE, 5, EventKind.WITHDRAWN, 500, "r4");

    assertThat(verdict(check(), QUIET).violations()).containsExactly("refused but appended: 1 (r4 (HTTP 409))");
  }

  @Test
  void onlyAWithdrawalMayBeRefusedAndOnlyForInsufficientFunds() {
    refused("r8", Kind.DEPOSIT, ALICE, 10, 404, "/problems/account-not-found", FAULT);
    refused("r9", Kind.DEPOSIT, BOB, 10, 404, "/problems/account-not-found", FAULT);
    refused("r10", Kind.WITHDRAW, BOB, 1, 422, "/problems/idempotency-key-reused", FAULT);

    assertThat(verdict(check(), FAULT).violations()).containsExactly(
        "wrongly refused HTTP 404 to a deposit x2, HTTP 422 to a withdraw x1");
  }

  @Test
  void aRequestLeftWithoutADefiniteAnswerIsCaughtAndMakesTheExpectationInexact() {
    requests.add(new Outcome("r8", Kind.DEPOSIT, BOB, 10, FAULT, State.UNRESOLVED, null));

    Invariants.Report report = check();

    assertThat(verdict(report, FAULT).violations()).containsExactly("never answered definitely: 1 (r8)");
    assertThat(verdict(report, "balances").violations()).containsExactly(
        "the expectation is not exact: 1 requests never answered definitely");
  }

  @Test
  void aStackThatDoesNotServeAgainInTimeFailsItsFault() {
    recovery = new Invariants.Recovery(-1, 120, 10.5, 1);

    Verdict verdict = verdict(check(), FAULT);

    assertThat(verdict.figures()).contains("recovery > 120 s (restart 10.5 s after 1 failed ./tally up)");
    assertThat(verdict.violations()).containsExactly("did not serve again within 120 s of the restart");
  }

  @Test
  void aStackThatServesAgainOnlyAfterTheBoundFailsItsFault() {
    recovery = new Invariants.Recovery(130.5, 120, 10.5, 0);

    Verdict verdict = verdict(check(), FAULT);

    assertThat(verdict.figures()).contains("recovery 130.5 s (restart 10.5 s)");
    assertThat(verdict.violations()).containsExactly("did not serve again within 120 s of the restart");
  }

  @Test
  void aReadWithATokenThatAnswersNeither200Nor503IsCaught() {
    fault.wrongReads.add("HTTP 404 for account " + ALICE);

    assertThat(verdict(check(), FAULT).violations()).containsExactly(
        "reads with a token answered neither 200 nor 503: 1 (HTTP 404 for account " + ALICE + ")");
  }

  @Test
  void aParkedKeyAReadModelBehindOrDifferentFromTheFoldIsCaught() {
    parkedKeys = 1;

    Verdict model = verdict(check(new Invariants.FoldComparison(false, 1, List.of("account differs: " + ALICE)),
        Map.of(3, 2L)), "read model");

    assertThat(model.figures()).contains("parked keys 1", "2 offsets behind");
    assertThat(model.violations()).containsExactly(
        "has not applied the whole log: offsets behind by partition {3=2}",
        "differs from the fold of the log (1 accounts differ): account differs: " + ALICE,
        "1 parked keys: " + ALICE + " at 0@1: undecodable");
  }

  @Test
  void eventsOfNoRequestAndRecordsThatAreNotAccountEventsAreCaught() {
    String carol = "00000000-0000-0000-0000-00000000000c";
    event(carol, 1, EventKind.OPENED, 0, "someone-else");
    events.add(new Event(0, offset++, carol, 0, EventKind.UNDECODABLE, 0, null));
    logBalances.put(carol, 0L);

    Invariants.Report report = check();

    assertThat(verdict(report, "log").violations()).containsExactly(
        "records that are not account events: 1 (0@7)", "events of no request of this run: 1 (0@6)");
    assertThat(verdict(report, "balances").violations()).containsExactly(
        "log: accounts whose balance is not their acknowledged deposits minus withdrawals: 1 (" + carol
            + " 0 but never acknowledged as opened)");
  }

  private Invariants.Report check() {
    return check(new Invariants.FoldComparison(true, 0, List.of("accounts: model 2 rows")), Map.of());
  }

  private Invariants.Report check(Invariants.FoldComparison fold, Map<Integer, Long> behind) {
    List<Invariants.Phase> phases = List.of(new Invariants.Phase(QUIET, 0, quiet, null),
        new Invariants.Phase(FAULT, FAULT_BEGAN, fault, recovery));
    ReadModel.Facts model = new ReadModel.Facts("tally_read_g1", modelBalances, modelLines, parkedKeys,
        parkedKeys == 0 ? List.of() : List.of(ALICE + " at 0@1: undecodable"));
    return Invariants.check(new Invariants.Observations(phases, requests, new LogScan.Log(events, Map.of()), model,
        behind, fold, logBalances, queryBalances, List.of()));
  }

  private void open(String id, String account, String phase) {
    requests.add(new Outcome(id, Kind.OPEN, account, 0, phase, State.ACCEPTED, new Answer(201, 1, "t", null, answeredAt(phase))));
    event(account, 1, EventKind.OPENED, 0, id);
    modelBalances.put(account, 0L);
  }

  private void money(String id, Kind kind, String account, long amount, long version, String phase) {
    requests.add(new Outcome(id, kind, account, amount, phase, State.ACCEPTED, new Answer(200, version, "t", null, answeredAt(phase))));
    event(account, version, kind == Kind.DEPOSIT ? EventKind.DEPOSITED : EventKind.WITHDRAWN, amount, id);
    modelLines.put(account + "/" + version, id);
  }

  private void refused(String id, Kind kind, String account, long amount, int status, String type, String phase) {
    requests.add(new Outcome(id, kind, account, amount, phase, State.REFUSED, new Answer(status, 0, null, type, answeredAt(phase))));
  }

  /** The quiet phase's requests are answered 3, 2.5, 2, ... s before the fault; the fault's, just after it began. */
  private long answeredAt(String phase) {
    return phase.equals(QUIET) ? FAULT_BEGAN - 3_000_000_000L + requests.size() * 500_000_000L : FAULT_BEGAN + 1;
  }

  private void event(String account, long version, EventKind kind, long amount, String correlationId) {
    events.add(new Event(0, offset++, account, version, kind, amount, correlationId));
  }

  private void balances(String account, long balance) {
    modelBalances.put(account, balance);
    logBalances.put(account, balance);
    queryBalances.put(account, balance);
  }

  private static Verdict verdict(Invariants.Report report, String name) {
    return report.verdicts().stream().filter(verdict -> verdict.name().equals(name)).findFirst().orElseThrow();
  }

  private static String lines(Invariants.Report report) {
    return String.join("\n", report.verdicts().stream().map(Verdict::line).toList());
  }
}
