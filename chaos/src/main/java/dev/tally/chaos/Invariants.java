package dev.tally.chaos;

import dev.tally.chaos.LogScan.Event;
import dev.tally.chaos.LogScan.EventKind;
import dev.tally.chaos.Request.Kind;
import dev.tally.chaos.Request.Outcome;
import dev.tally.chaos.Request.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The ledger's invariants, checked over what was observed from outside: the requests and their
 * answers, the events of the log, the read model's rows, the balances the query API serves. A pure
 * function of those observations, so that each kind of violation can be shown to be caught.
 *
 * <p>Per phase (the quiet start, then each fault), over the requests first sent in it: every
 * acknowledged command appears exactly once in the log, as acknowledged (account, version, kind,
 * amount), and in the read model; a refused one appears nowhere; only a withdrawal may be
 * refused, and only for insufficient funds; every request got a definite answer in the end; a read
 * with the token of an acknowledged write answers it, or says it is behind (503); the stack served
 * again within the bound. Over everything: versions are contiguous per account from its opening;
 * the log holds only events of this run's requests; the read model has applied the whole log,
 * equals an independent fold of it, and parks nothing; every account's balance, and their sum,
 * equals its acknowledged deposits minus its acknowledged withdrawals, in the log, in the read model
 * and through the query API.
 */
final class Invariants {

  private static final int NAMED = 5;

  /**
   * A phase as it was run: when it began (System.nanoTime), what the traffic counted in it, and
   * how the stack came back from its fault.
   */
  record Phase(String name, long began, Traffic.PhaseStats stats, Recovery recovery) {
  }

  /**
   * How the stack came back from a phase's fault: null for the quiet phase.
   *
   * @param seconds from the restart (or the broker's resumption) until the stack served again; negative if it did not
   * @param limitSeconds the bound it had to recover within
   */
  record Recovery(double seconds, double limitSeconds, double restartSeconds, int restartFailures) {
    boolean recovered() {
      return seconds >= 0 && seconds <= limitSeconds;
    }
  }

  /**
   * The read model compared with an independent fold of the log.
   *
   * @param details what was compared and what differs, one line each
   */
  record FoldComparison(boolean equal, int differingAccounts, List<String> details) {
  }

  /** Everything observed. Balances by account id; {@code queryBalances} has the accounts the query API answered for. */
  record Observations(List<Phase> phases, List<Outcome> requests, LogScan.Log log, ReadModel.Facts model,
      Map<Integer, Long> behind, FoldComparison fold, Map<String, Long> logBalances, Map<String, Long> queryBalances,
      List<String> unreadable) {
  }

  /** One line of the verdict: a phase or a check, its figures, what it violated (nothing if it passed). */
  record Verdict(String name, String figures, List<String> violations) {
    boolean passed() {
      return violations.isEmpty();
    }

    String line() {
      return String.format("%-22s %s: %s", name, figures,
          passed() ? "PASS" : "FAIL (" + String.join("; ", violations) + ")");
    }
  }

  /** Every verdict, phases first. */
  record Report(List<Verdict> verdicts) {
    boolean passed() {
      return verdicts.stream().allMatch(Verdict::passed);
    }

    long violations() {
      return verdicts.stream().filter(verdict -> !verdict.passed()).count();
    }
  }

  private Invariants() {
  }

  static Report check(Observations seen) {
    Map<String, List<Event>> byRequest = new HashMap<>();
    for (Event event : seen.log().events()) {
      if (event.correlationId() != null) {
        byRequest.computeIfAbsent(event.correlationId(), key -> new ArrayList<>()).add(event);
      }
    }
    List<Verdict> verdicts = new ArrayList<>();
    List<Phase> phases = seen.phases();
    for (int i = 0; i < phases.size(); i++) {
      Phase phase = phases.get(i);
      List<Outcome> sent = seen.requests().stream().filter(request -> request.phase().equals(phase.name())).toList();
      verdicts.add(phase(phase, i + 1 < phases.size() ? phases.get(i + 1) : null, sent, byRequest, seen.model()));
    }
    verdicts.add(log(seen));
    verdicts.add(readModel(seen));
    verdicts.add(balances(seen));
    return new Report(verdicts);
  }

  /**
   * The verdict on the requests first sent in {@code phase}. A write acknowledged just before the
   * {@code next} fault may be harmed by it: where acknowledged writes went missing, the verdict says
   * when they were answered relative to the next fault's start.
   */
  private static Verdict phase(Phase phase, Phase next, List<Outcome> sent, Map<String, List<Event>> byRequest,
      ReadModel.Facts model) {
    long acknowledged = 0;
    long refused = 0;
    Counts wrongRefusals = new Counts();
    List<String> unresolved = new ArrayList<>();
    List<Outcome> lost = new ArrayList<>();
    List<String> duplicated = new ArrayList<>();
    List<String> misplaced = new ArrayList<>();
    List<String> refusedButAppended = new ArrayList<>();
    List<Outcome> notInModel = new ArrayList<>();
    for (Outcome request : sent) {
      List<Event> events = byRequest.getOrDefault(request.id(), List.of());
      if (events.size() > 1) {
        duplicated.add(request.id() + " x" + events.size());
      }
      switch (request.state()) {
        case ACCEPTED -> {
          acknowledged++;
          if (events.isEmpty()) {
            lost.add(request);
          } else if (events.size() == 1 && !matches(request, events.getFirst())) {
            misplaced.add(request.id() + " acknowledged as " + request.account() + " v" + request.answer().version()
                + ", in the log as " + events.getFirst().account() + " v" + events.getFirst().version());
          }
          if (!inModel(request, model)) {
            notInModel.add(request);
          }
        }
        case REFUSED -> {
          refused++;
          if (!events.isEmpty()) {
            refusedButAppended.add(request.id() + " (HTTP " + request.answer().status() + ")");
          }
          if (!rightlyRefused(request)) {
            wrongRefusals.add("HTTP " + request.answer().status() + " to a " + request.kind().name().toLowerCase());
          }
        }
        case UNRESOLVED -> unresolved.add(request.id());
      }
    }
    Traffic.PhaseStats stats = phase.stats();
    long serverErrors = stats.commandServerErrors.sum() + stats.readServerErrors.sum();
    long noAnswer = stats.commandNoAnswer.sum() + stats.readNoAnswer.sum();
    String figures = String.format("acknowledged %,d (refused %,d), lost %,d, duplicated %,d, not in read model %,d, "
            + "5xx %,d (commands %,d, reads %,d), no answer %,d, %s", acknowledged, refused, lost.size(), duplicated.size(),
        notInModel.size(), serverErrors, stats.commandServerErrors.sum(), stats.readServerErrors.sum(), noAnswer,
        recovery(phase.recovery()));
    List<String> violations = new ArrayList<>();
    violation(violations, "lost", ids(lost), answered(lost, next));
    violation(violations, "duplicated", duplicated);
    violation(violations, "in the log otherwise than acknowledged", misplaced);
    violation(violations, "refused but appended", refusedButAppended);
    violation(violations, "acknowledged but not in the read model", ids(notInModel), answered(notInModel, next));
    if (!wrongRefusals.isEmpty()) {
      violations.add("wrongly refused " + wrongRefusals);
    }
    violation(violations, "never answered definitely", unresolved);
    violation(violations, "reads with a token answered neither 200 nor 503", List.copyOf(stats.wrongReads));
    if (phase.recovery() != null && !phase.recovery().recovered()) {
      violations.add(String.format("did not serve again within %.0f s of the restart", phase.recovery().limitSeconds()));
    }
    return new Verdict(phase.name(), figures, violations);
  }

  private static List<String> ids(List<Outcome> requests) {
    return requests.stream().map(Outcome::id).toList();
  }

  /** When these requests were answered, relative to the start of the next fault: "" if there is none. */
  private static String answered(List<Outcome> requests, Phase next) {
    if (next == null || requests.isEmpty()) {
      return "";
    }
    long first = requests.stream().mapToLong(request -> request.answer().at()).min().orElseThrow();
    long last = requests.stream().mapToLong(request -> request.answer().at()).max().orElseThrow();
    return String.format("; answered from %s to %s the start of the next fault, %s", relative(next.began() - first),
        relative(next.began() - last), next.name());
  }

  private static String relative(long nanosBefore) {
    return nanosBefore >= 0 ? String.format("%.1f s before", nanosBefore / 1e9)
        : String.format("%.1f s after", -nanosBefore / 1e9);
  }

  private static String recovery(Recovery recovery) {
    if (recovery == null) {
      return "no fault";
    }
    String restart = String.format("restart %.1f s%s", recovery.restartSeconds(),
        recovery.restartFailures() > 0 ? " after " + recovery.restartFailures() + " failed ./tally up" : "");
    return (recovery.seconds() >= 0 ? String.format("recovery %.1f s", recovery.seconds())
        : String.format("recovery > %.0f s", recovery.limitSeconds())) + (recovery.restartSeconds() > 0 ? " (" + restart + ")" : "");
  }

  /** The request's one event is what its acknowledgement said: same account, version, kind and amount. */
  private static boolean matches(Outcome request, Event event) {
    EventKind kind = switch (request.kind()) {
      case OPEN -> EventKind.OPENED;
      case DEPOSIT -> EventKind.DEPOSITED;
      case WITHDRAW -> EventKind.WITHDRAWN;
    };
    return event.account().equals(request.account()) && event.version() == request.answer().version()
        && event.kind() == kind && event.amount() == request.amount();
  }

  /** The read model has the acknowledged write: the account for an opening, the money line with its reference otherwise. */
  private static boolean inModel(Outcome request, ReadModel.Facts model) {
    return switch (request.kind()) {
      case OPEN -> model.balances().containsKey(request.account());
      case DEPOSIT, WITHDRAW -> request.id().equals(
          model.lineReferences().get(request.account() + "/" + request.answer().version()));
    };
  }

  /** Accounts are never closed and every request is well formed: only a withdrawal may be refused, for insufficient funds. */
  private static boolean rightlyRefused(Outcome request) {
    Request.Answer answer = request.answer();
    return request.kind() == Kind.WITHDRAW && answer.status() == 409 && answer.problemType() != null
        && answer.problemType().endsWith("/insufficient-funds");
  }

  private static Verdict log(Observations seen) {
    Set<String> requestIds = new HashSet<>();
    seen.requests().forEach(request -> requestIds.add(request.id()));
    Map<String, Long> versions = new HashMap<>();
    Set<String> gaps = new TreeSet<>();
    Set<String> repeats = new TreeSet<>();
    Set<String> notOpenedFirst = new TreeSet<>();
    List<String> unreadable = new ArrayList<>();
    List<String> foreign = new ArrayList<>();
    // Events are in partition and offset order, and an account's events are all in one partition: this is its order.
    for (Event event : seen.log().events()) {
      String where = event.partition() + "@" + event.offset();
      switch (event.kind()) {
        case UNDECODABLE, OTHER -> {
          unreadable.add(where);
          continue;
        }
        case OPENED, DEPOSITED, WITHDRAWN, CLOSED -> {
          // an account's event: checked below
        }
      }
      long previous = versions.getOrDefault(event.account(), 0L);
      if (previous == 0 && (event.kind() != EventKind.OPENED || event.version() != 1)) {
        notOpenedFirst.add(event.account());
      }
      if (event.version() > previous + 1) {
        gaps.add(event.account() + " v" + previous + " then v" + event.version() + " at " + where);
      } else if (event.version() <= previous) {
        repeats.add(event.account() + " v" + previous + " then v" + event.version() + " at " + where);
      }
      versions.merge(event.account(), event.version(), Math::max);
      if (event.correlationId() == null || !requestIds.contains(event.correlationId())) {
        foreign.add(where);
      }
    }
    String figures = String.format("%,d events, %,d accounts: versions contiguous on %,d", seen.log().events().size(),
        versions.size(), versions.size() - accountsIn(gaps, repeats, notOpenedFirst));
    List<String> violations = new ArrayList<>();
    violation(violations, "version gaps", List.copyOf(gaps));
    violation(violations, "versions repeated or going back", List.copyOf(repeats));
    violation(violations, "accounts not starting with their opening at v1", List.copyOf(notOpenedFirst));
    violation(violations, "records that are not account events", unreadable);
    violation(violations, "events of no request of this run", foreign);
    return new Verdict("log", figures, violations);
  }

  private static int accountsIn(Set<String> gaps, Set<String> repeats, Set<String> notOpenedFirst) {
    Set<String> accounts = new HashSet<>(notOpenedFirst);
    for (String violation : gaps) {
      accounts.add(violation.substring(0, violation.indexOf(' ')));
    }
    for (String violation : repeats) {
      accounts.add(violation.substring(0, violation.indexOf(' ')));
    }
    return accounts.size();
  }

  private static Verdict readModel(Observations seen) {
    FoldComparison fold = seen.fold();
    long behind = seen.behind().values().stream().mapToLong(Long::longValue).sum();
    String figures = String.format("schema %s, %,d accounts, %,d transactions, parked keys %,d, %s",
        seen.model().schema(), seen.model().balances().size(), seen.model().lineReferences().size(),
        seen.model().parkedKeys(), behind == 0 ? "caught up with the log" : String.format("%,d offsets behind", behind));
    List<String> violations = new ArrayList<>();
    if (behind > 0) {
      violations.add("has not applied the whole log: offsets behind by partition " + seen.behind());
    }
    if (!fold.equal()) {
      violations.add("differs from the fold of the log (" + fold.differingAccounts() + " accounts differ): "
          + String.join(", ", fold.details()));
    }
    if (seen.model().parkedKeys() > 0) {
      violations.add(seen.model().parkedKeys() + " parked keys: " + String.join(", ", seen.model().parked()));
    }
    return new Verdict("read model", figures, violations);
  }

  private static Verdict balances(Observations seen) {
    Map<String, Long> expected = new HashMap<>();
    long unresolved = 0;
    for (Outcome request : seen.requests()) {
      if (request.state() == State.UNRESOLVED) {
        unresolved++;
      }
      if (request.state() != State.ACCEPTED) {
        continue;
      }
      switch (request.kind()) {
        case OPEN -> expected.merge(request.account(), 0L, Long::sum);
        case DEPOSIT -> expected.merge(request.account(), request.amount(), Long::sum);
        case WITHDRAW -> expected.merge(request.account(), -request.amount(), Long::sum);
      }
    }
    Map<String, Map<String, Long>> sources = new LinkedHashMap<>();
    sources.put("log", seen.logBalances());
    sources.put("read model", seen.model().balances());
    sources.put("query API", seen.queryBalances());
    StringBuilder figures = new StringBuilder(String.format("expected %,d over %,d accounts", sum(expected),
        expected.size()));
    List<String> violations = new ArrayList<>();
    sources.forEach((source, balances) -> {
      figures.append(String.format("; %s %,d", source, sum(balances)));
      List<String> differing = differing(expected, balances, source.equals("query API"));
      violation(violations, source + ": accounts whose balance is not their acknowledged deposits minus withdrawals",
          differing);
    });
    violation(violations, "query API: accounts it could not read", seen.unreadable());
    if (unresolved > 0) {
      violations.add(String.format("the expectation is not exact: %,d requests never answered definitely", unresolved));
    }
    return new Verdict("balances", figures.toString(), violations);
  }

  private static List<String> differing(Map<String, Long> expected, Map<String, Long> found, boolean onlyExpected) {
    Map<String, String> differing = new TreeMap<>();
    expected.forEach((account, balance) -> {
      Long actual = found.get(account);
      if (actual == null ? !onlyExpected : actual.longValue() != balance) {
        differing.put(account, account + " " + (actual == null ? "missing" : actual) + " instead of " + balance);
      }
    });
    found.forEach((account, balance) -> {
      if (!expected.containsKey(account)) {
        differing.put(account, account + " " + balance + " but never acknowledged as opened");
      }
    });
    return List.copyOf(differing.values());
  }

  private static long sum(Map<String, Long> balances) {
    return balances.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Adds "what: N (the first few)" if there are any. */
  private static void violation(List<String> violations, String what, List<String> instances) {
    violation(violations, what, instances, "");
  }

  /** Adds "what: N (the first few)" and a note, if there are any. */
  private static void violation(List<String> violations, String what, List<String> instances, String note) {
    if (!instances.isEmpty()) {
      violations.add(String.format("%s: %,d (%s%s)%s", what, instances.size(),
          String.join(", ", instances.subList(0, Math.min(NAMED, instances.size()))),
          instances.size() > NAMED ? ", ..." : "", note));
    }
  }

  /** Occurrences by kind, printed as "kind xN, ...". */
  private static final class Counts {
    private final Map<String, Integer> counts = new TreeMap<>();

    void add(String kind) {
      counts.merge(kind, 1, Integer::sum);
    }

    boolean isEmpty() {
      return counts.isEmpty();
    }

    @Override
    public String toString() {
      List<String> parts = new ArrayList<>();
      counts.forEach((kind, count) -> parts.add(kind + " x" + count));
      return String.join(", ", parts);
    }
  }
}
