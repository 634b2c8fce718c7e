package dev.tally.chaos;

import dev.tally.runtime.projection.Projection;
import dev.tally.ledger.Ledger;
import dev.tally.bench.HttpConnection;
import dev.tally.bench.Json;
import dev.tally.bench.Stack;
import dev.tally.cli.CliException;
import dev.tally.cli.EventTopics;
import dev.tally.cli.Kafka;
import dev.tally.cli.ModelVerification;
import dev.tally.runtime.projection.Generations;
import dev.tally.schemas.AggregateTopics;
import dev.tally.schemas.Aggregates;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code ./tally chaos [--quick]}: starts a fresh local stack in a home of its own, puts a steady,
 * fully recorded load on it, injects each {@link Fault} in turn (waiting for the stack to serve
 * again after each), then checks the ledger's {@link Invariants} from outside, against the Kafka
 * log and the PostgreSQL read model, and prints a verdict line per fault and per check. Exit code
 * 0 when every invariant held, 3 when one was violated, 1 when the run could not be carried out, 2
 * for a usage error.
 */
public final class Chaos {

  static final int VIOLATED = 3;
  static final int FAILED = 1;
  static final int USAGE = 2;
  /** Written in a home this tool made, so that it never wipes one it did not. */
  static final String MARKER = "chaos-home";
  private static final String QUIET = "no fault";
  private static final Duration QUERY_LIMIT = Duration.ofMinutes(1);
  private static final Duration START_WAIT = Duration.ofMinutes(4);

  private final Options options;
  private final Settings settings;
  private final Stack stack;
  private final Injector injector;
  private final PrintWriter out;
  private final long started = System.nanoTime();

  private Chaos(Options options, PrintWriter out) {
    this.options = options;
    this.settings = options.quick() ? Settings.quick() : Settings.full();
    // A restart under load on a busy machine may take longer than ./tally up's usual patience.
    this.stack = new Stack(options.root(), options.home(), Stack.Ports.fromEnvironment(), "chaos-logs")
        .withDefault("TALLY_START_WAIT", Long.toString(START_WAIT.toSeconds()));
    this.injector = new Injector(stack);
    this.out = out;
  }

  /** Command-line options. */
  record Options(boolean quick, Path root, Path home, boolean keep, List<Fault> faults) {

    static Options parse(String[] args) {
      boolean quick = false;
      boolean keep = false;
      Path root = Path.of("").toAbsolutePath();
      Path home = null;
      List<Fault> faults = List.of(Fault.values());
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--quick" -> quick = true;
          case "--keep" -> keep = true;
          case "--root" -> root = Path.of(value(args, ++i)).toAbsolutePath();
          case "--home" -> home = Path.of(value(args, ++i)).toAbsolutePath();
          case "--faults" -> faults = Arrays.stream(value(args, ++i).split(",")).map(String::strip).map(Fault::of).toList();
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      return new Options(quick, root, home == null ? root.resolve(".tally-chaos") : home, keep, faults);
    }

    private static String value(String[] args, int i) {
      if (i >= args.length) {
        throw new IllegalArgumentException(args[i - 1] + " needs a value");
      }
      return args[i];
    }

    static String usage() {
      return """
          usage: ./tally chaos [--quick] [--faults LIST] [--home DIR] [--keep]
            --quick        every fault, with shorter quiet stretches and a 10 s broker pause: about a minute of
                           load besides the stack's start and recoveries; the full form runs longer, at a higher rate
            --faults LIST  inject only these, in this order (default: all, %s)
            --home DIR     TALLY_HOME of the run's stack (default .tally-chaos; wiped at the start, kept at the end)
            --keep         leave the stack running at the end, to look into it
          Ports: the TALLY_*_PORT variables, as for ./tally up. Exit code: 0 every invariant held, 3 one was
          violated, 1 the run could not be carried out, 2 usage error.""".formatted(Fault.options());
    }
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      out.println(Options.usage());
      System.exit(0);
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("tally chaos: " + e.getMessage() + "\n" + Options.usage());
      System.exit(USAGE);
      return;
    }
    int exit;
    try {
      exit = new Chaos(options, out).run();
    } catch (Exception e) {
      System.err.println("tally chaos: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      exit = FAILED;
    }
    out.flush();
    System.exit(exit);
  }

  private int run() throws Exception {
    claimHome(options.home());
    Thread onInterrupt = Thread.ofPlatform().unstarted(() -> {
      injector.resume();
      stack.stop();
    });
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    try {
      return inject();
    } finally {
      injector.resume();
      if (options.keep()) {
        say("the stack is left running (TALLY_HOME=" + options.home() + "); ./tally down stops it");
      } else {
        stack.stop();
      }
      Runtime.getRuntime().removeShutdownHook(onInterrupt);
    }
  }

  private int inject() throws Exception {
    String runId = UUID.randomUUID().toString().substring(0, 8);
    out.printf("tally chaos (%s) at %s: %s under %.0f commands/s over %d accounts, run %s%n", settings.mode(),
        OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS),
        String.join(", ", options.faults().stream().map(fault -> fault.title).toList()), settings.rate(),
        settings.accounts(), runId);
    say("starting a fresh stack (./tally reset && ./tally up) in " + options.home());
    stack.startFresh();
    Stack.Ports ports = stack.ports;
    Traffic traffic = new Traffic(settings, ports.command(), ports.query(), runId);
    List<Invariants.Phase> phases = new ArrayList<>();
    traffic.start(QUIET);
    phases.add(new Invariants.Phase(QUIET, System.nanoTime(), traffic.stats(QUIET), null));
    say(String.format("load started; at least %d s without faults, until the first %d accounts are open",
        settings.warmUp().toSeconds(), settings.accounts()));
    steady(traffic, settings.warmUp());
    awaitAccounts(traffic);
    for (Fault fault : options.faults()) {
      long began = System.nanoTime();
      traffic.phase(fault.title);
      say(fault.title + " ...");
      Injector.Injected injected = injector.inject(fault, settings.pause(), traffic::watchFrom);
      long servedAt = traffic.awaitRecovery(fault.recovery, settings.recoveryLimit());
      double seconds = servedAt < 0 ? -1 : (servedAt - injected.restartedAt()) / 1e9;
      phases.add(new Invariants.Phase(fault.title, began, traffic.stats(fault.title), new Invariants.Recovery(seconds,
          settings.recoveryLimit().toSeconds(), injected.restartSeconds(), injected.restartFailures().size())));
      say(injected.what() + (injected.restartSeconds() > 0
          ? String.format("; ./tally up took %.1f s", injected.restartSeconds()) : "")
          + (seconds < 0 ? String.format("; NOT serving again %d s later", settings.recoveryLimit().toSeconds())
          : String.format("; serving again (%s) %.1f s later", served(fault.recovery), seconds)));
      steady(traffic, settings.settle());
    }
    traffic.stopSending();
    say(String.format("load stopped; retrying the %,d requests without a definite answer with their keys",
        traffic.unresolved()));
    int left = traffic.resolve(settings.resolveLimit());
    say(left == 0 ? "every request has a definite answer" : String.format("%,d requests still without one", left));
    Invariants.Report report = check(phases, traffic);
    out.println("verdicts:");
    report.verdicts().forEach(verdict -> out.println("  " + verdict.line()));
    writeRequests(traffic.outcomes());
    out.printf("tally chaos: %s%n", report.passed() ? "every invariant held"
        : report.violations() + " verdicts with violations (docs/reliability.md says what each check means)");
    return report.passed() ? 0 : VIOLATED;
  }

  /** The load alone for a while, then a line of progress. */
  private void steady(Traffic traffic, Duration duration) throws InterruptedException {
    Thread.sleep(duration);
    say(String.format("%,d requests sent, %,d without a definite answer yet, %,d not sent (late, or held back)",
        traffic.outcomes().size(), traffic.unresolved(), traffic.skipped()));
  }

  /** The faults begin once the initial accounts are open: a stack still warming up serves slowly at first. */
  private void awaitAccounts(Traffic traffic) throws InterruptedException {
    long deadline = System.nanoTime() + settings.recoveryLimit().toNanos();
    while (traffic.accounts().size() < settings.accounts()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(String.format("only %d of the first %d accounts were opened within %d s of "
            + "the start of the load", traffic.accounts().size(), settings.accounts(),
            settings.recoveryLimit().toSeconds()));
      }
      Thread.sleep(100);
    }
    say(String.format("%d accounts open", traffic.accounts().size()));
  }

  private static String served(Traffic.Service service) {
    return switch (service) {
      case WRITE -> "a command accepted";
      case READ -> "a read answered";
      case READABLE_WRITE -> "a new write readable with its token";
    };
  }

  private Invariants.Report check(List<Invariants.Phase> phases, Traffic traffic) throws Exception {
    List<Request.Outcome> requests = traffic.outcomes();
    Stack.Ports ports = stack.ports;
    // The roles ./tally up's PostgreSQL has, as the CLI uses them; nothing here writes.
    PGSimpleDataSource db = new PGSimpleDataSource();
    db.setURL(ports.jdbc());
    db.setUser("tally_writer");
    db.setPassword("tally_writer");
    Generations generations = new Generations(db, "tally_reader", Projection.of(Ledger.SLICES));
    try (Kafka kafka = connect(ports.bootstrap())) {
      say("reading the log");
      String events = AggregateTopics.of(Aggregates.ACCOUNT).events();
      LogScan.Log log = LogScan.read(kafka, events);
      say(String.format("%,d events; waiting for the read model to apply them all", log.events().size()));
      Map<Integer, Long> behind = ReadModel.awaitCatchUp(generations, events, log.lastOffsets(), settings.catchUpLimit());
      String schema = ReadModel.live(generations).schema();
      say("comparing the read model (" + schema + ") with a fold of the log");
      ModelVerification.Result verified = ModelVerification.verify(kafka, db, schema, Projection.of(Ledger.SLICES),
          EventTopics.standard());
      ReadModel.Facts model = ReadModel.read(db, schema);
      say("reading every account through the query API");
      Map<String, Long> queryBalances = new HashMap<>();
      List<String> unreadable = new ArrayList<>();
      readBalances(requests, ports.query(), queryBalances, unreadable);
      return Invariants.check(new Invariants.Observations(phases, requests, log, model, behind,
          new Invariants.FoldComparison(verified.passed(), Math.toIntExact(verified.differingRows()), verified.details()),
          ReadModel.logBalances(verified), queryBalances, unreadable));
    }
  }

  /** The broker, asked until it answers: right after the faults, on a busy machine, it may be slow to. */
  private Kafka connect(String bootstrap) throws InterruptedException {
    long deadline = System.nanoTime() + settings.catchUpLimit().toNanos();
    while (true) {
      try {
        return Kafka.connect(bootstrap);
      } catch (CliException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        say(e.getMessage() + "; asking again");
      }
    }
  }

  /**
   * Every account whose opening was acknowledged, read through the query API with the token of
   * its last acknowledged write: the answer must include that write. A 503 (behind) is asked again
   * until a minute has passed.
   */
  private static void readBalances(List<Request.Outcome> requests, int port, Map<String, Long> balances,
      List<String> unreadable) throws InterruptedException {
    Map<String, Request.Outcome> last = new HashMap<>();
    for (Request.Outcome request : requests) {
      if (request.state() == Request.State.ACCEPTED) {
        last.merge(request.account(), request,
            (a, b) -> a.answer().version() >= b.answer().version() ? a : b);
      }
    }
    long deadline = System.nanoTime() + QUERY_LIMIT.toNanos();
    try (HttpConnection query = new HttpConnection(Traffic.HOST, port, Duration.ofSeconds(10))) {
      for (Request.Outcome write : last.values()) {
        byte[] request = HttpConnection.request("GET", "/accounts/" + write.account(), Traffic.HOST, port,
            write.answer().token() == null ? Map.of() : Map.of("Consistency-Token", write.answer().token()), null);
        String failure = null;
        do {
          try {
            HttpConnection.Response response = query.exchange(request);
            String balance = Json.field(response.body(), "balance");
            if (response.status() == 200 && balance != null) {
              balances.put(write.account(), Long.parseLong(balance));
              failure = null;
              break;
            }
            failure = "HTTP " + response.status();
          } catch (IOException e) {
            failure = e.getClass().getSimpleName();
          }
          Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        if (failure != null) {
          unreadable.add(write.account() + " " + failure);
        }
      }
    }
  }

  /** Every request and its answer, one per line, for looking into a violation. */
  private void writeRequests(List<Request.Outcome> requests) throws IOException {
    Path file = options.home().resolve("chaos-requests.csv");
    List<String> lines = new ArrayList<>(List.of("id,kind,account,amount,phase,state,status,version"));
    for (Request.Outcome request : requests) {
      Request.Answer answer = request.answer();
      lines.add(String.join(",", request.id(), request.kind().name(), request.account(), Long.toString(request.amount()),
          request.phase(), request.state().name(), answer == null ? "" : Integer.toString(answer.status()),
          answer == null ? "" : Long.toString(answer.version())));
    }
    Files.write(file, lines);
    say("every request and its answer: " + file);
  }

  /**
   * The run wipes its home: it must be empty, absent, or one this tool made before (it holds the
   * marker), never the developer's own stack.
   */
  static void claimHome(Path home) throws IOException {
    if (Files.isDirectory(home) && !Files.exists(home.resolve(MARKER))) {
      try (Stream<Path> entries = Files.list(home)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalStateException(home + " is not empty and was not made by ./tally chaos; a run wipes its "
              + "home, so give an empty or new directory with --home");
        }
      }
    }
    Files.createDirectories(home);
    Files.writeString(home.resolve(MARKER), "the home of ./tally chaos runs: wiped by each run\n");
  }

  private void say(String line) {
    out.printf("[%4d s] %s%n", (System.nanoTime() - started) / 1_000_000_000, line);
  }
}
