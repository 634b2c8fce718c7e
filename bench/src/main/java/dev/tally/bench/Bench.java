package dev.tally.bench;

import dev.tally.schemas.AggregateTopics;
import dev.tally.schemas.Aggregates;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./tally bench [--quick]}: starts a fresh local stack, measures it against the performance
 * targets together with the limits of Kafka and PostgreSQL on the same machine in the same run,
 * prints a table, writes {@code bench/results/latest.json} and stops the stack.
 *
 * <p>Phases, in order: limits (Kafka producer and consumer, PostgreSQL COPY and point selects),
 * projection (a pre-filled events topic), rebuild ({@code ./tally rebuild} over that topic),
 * ingest (closed loop, then open loop at 2,000/s), query (closed loop, then open loop at half
 * the rate reached), end to end (open loop at 1,000/s, each write read back with its token).
 * A phase that fails records its error and the run goes on.
 */
public final class Bench {

  static final String EVENTS_TOPIC = AggregateTopics.of(Aggregates.ACCOUNT).events();
  private static final List<String> PHASES = List.of("limits", "projection", "rebuild", "ingest", "query", "e2e");

  private final Settings settings;
  private final Stack stack;
  private final Options options;
  private final Map<String, Object> results = new LinkedHashMap<>();
  private final Map<String, Object> profiles = new LinkedHashMap<>();
  private final Cpu cpu;
  private List<UUID> prefilledAccounts = List.of();
  private List<UUID> ingestAccounts = List.of();

  private Bench(Settings settings, Stack stack, Options options) {
    this.settings = settings;
    this.stack = stack;
    this.options = options;
    this.cpu = new Cpu(stack);
  }

  /** Command-line options. */
  record Options(boolean quick, Path root, Path home, Path out, boolean jfr, boolean useRunning, Set<String> phases,
      String projectorGroup, List<String> rebuildArgs) {

    static Options parse(String[] args) {
      boolean quick = false;
      boolean jfr = false;
      boolean useRunning = false;
      Path root = Path.of("").toAbsolutePath();
      Path home = null;
      Path out = null;
      Set<String> phases = Set.copyOf(PHASES);
      String group = "tally-projector";
      List<String> rebuildArgs = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--quick" -> quick = true;
          case "--jfr" -> jfr = true;
          case "--use-running" -> useRunning = true;
          case "--root" -> root = Path.of(args[++i]).toAbsolutePath();
          case "--home" -> home = Path.of(args[++i]).toAbsolutePath();
          case "--out" -> out = Path.of(args[++i]).toAbsolutePath();
          case "--phases" -> phases = Set.of(args[++i].split(","));
          case "--projector-group" -> group = args[++i];
          case "--rebuild-arg" -> rebuildArgs.add(args[++i]);
          case "-h", "--help" -> {
            System.out.println(usage());
            System.exit(0);
          }
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + usage());
        }
      }
      if (!PHASES.containsAll(phases)) {
        throw new IllegalArgumentException("phases are " + PHASES);
      }
      return new Options(quick, root, home == null ? root.resolve(".tally-bench") : home,
          out == null ? root.resolve("bench/results/latest.json") : out, jfr, useRunning, phases, group,
          List.copyOf(rebuildArgs));
    }

    static String usage() {
      return """
          usage: ./tally bench [--quick] [--jfr] [--phases limits,projection,rebuild,ingest,query,e2e]
            --quick            smaller sizes and shorter runs (2 to 3 minutes instead of about 6 here)
            --jfr              record the busiest service of the ingest, projection and query phases with JFR
                               and print its top frames (costs some throughput)
            --phases LIST      run only these phases (the table shows the others as not measured)
            --out FILE         results document (default bench/results/latest.json)
            --home DIR         TALLY_HOME of the benchmark's stack (default .tally-bench; it is wiped)
            --use-running      measure a stack that is already up in --home instead of a fresh one
            --projector-group  the projector's consumer group (default tally-projector)
            --rebuild-arg ARG  an argument for ./tally rebuild (repeatable)""";
    }
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("tally bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    Settings settings = options.quick() ? Settings.quick() : Settings.full();
    Stack stack = new Stack(options.root(), options.home(), Stack.Ports.fromEnvironment(), "bench-logs");
    new Bench(settings, stack, options).run();
  }

  private void run() throws Exception {
    long start = System.nanoTime();
    results.put("date", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
    results.put("commit", git("rev-parse", "--short", "HEAD"));
    results.put("worktree_dirty", !git("status", "--porcelain", "--untracked-files=no").isBlank());
    results.put("mode", settings.mode());
    results.put("cores", Runtime.getRuntime().availableProcessors());
    results.put("java", System.getProperty("java.version"));
    results.put("load_generator", "own blocking HTTP/1.1 keep-alive client, one platform thread per connection");
    results.put("jfr", options.jfr());
    results.put("sizes", sizes());
    System.out.printf("tally bench (%s) at %s, commit %s%n", settings.mode(), results.get("date"), results.get("commit"));

    Thread stopOnInterrupt = Thread.ofPlatform().unstarted(stack::stop);
    if (!options.useRunning()) {
      Runtime.getRuntime().addShutdownHook(stopOnInterrupt);
      System.out.println("starting a fresh stack (./tally reset && ./tally up) ...");
      stack.startFresh();
      if (!stack.startFailures.isEmpty()) {
        results.put("stack_start_retries", stack.startFailures);
      }
    }
    try (Memory memory = new Memory(stack)) {
      phase("limits", this::limits);
      phase("projection", this::projection);
      phase("rebuild", this::rebuild);
      phase("ingest", this::ingest);
      phase("query", this::query);
      phase("e2e", this::endToEnd);
      memory.report(results);
    } finally {
      if (!options.useRunning()) {
        System.out.println("stopping the stack (./tally down) ...");
        stack.stop();
        Runtime.getRuntime().removeShutdownHook(stopOnInterrupt);
      }
    }
    if (!profiles.isEmpty()) {
      results.put("profiles", profiles);
    }
    results.put("wall_seconds", Math.round((System.nanoTime() - start) / 1e9));
    String table = Report.table(results);
    results.put("table", table.lines().toList());
    Files.createDirectories(options.out().getParent());
    Files.writeString(options.out(), Json.write(results));
    System.out.println();
    System.out.print(table);
    printProfiles();
    System.out.printf("%nwall time %d s; results in %s%n", results.get("wall_seconds"), options.out());
  }

  private interface Body {
    void run() throws Exception;
  }

  private void phase(String name, Body body) {
    if (!options.phases().contains(name)) {
      return;
    }
    System.out.printf("%n== %s ==%n", name);
    long start = System.nanoTime();
    Cpu.Snapshot before = cpu.snapshot();
    try {
      body.run();
      Map<String, Object> used = Cpu.between(before, cpu.snapshot());
      results.put(name + "_cpu_percent_of_one_core", used);
      System.out.println("  CPU (% of one core): " + used);
    } catch (Exception | AssertionError e) {
      String message = e.getClass().getSimpleName() + ": " + e.getMessage();
      results.put(name + "_error", message);
      System.out.println("  FAILED: " + message);
    }
    results.put(name + "_phase_seconds", Math.round((System.nanoTime() - start) / 1e9));
  }

  private void limits() throws Exception {
    int size = EventFiller.typicalEventSize();
    results.put("event_record_bytes", size);
    int partitions;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.ports.bootstrap()))) {
      partitions = admin.describeTopics(List.of(EVENTS_TOPIC)).allTopicNames().get().get(EVENTS_TOPIC).partitions().size();
    }
    results.put("partitions", partitions);
    try {
      KafkaLimits.measure(stack, libDir(), partitions, size, settings.kafkaRecords(), results);
    } catch (Exception e) {
      results.put("kafka_limits_error", e.getMessage());
      System.out.println("  Kafka limits FAILED: " + e.getMessage());
    }
    PostgresLimits.measure(stack.ports, settings.copyRows(), settings.selectAccounts(), settings.selectDuration(), results);
    Double one = Report.number(results.get("jdbc_point_selects_per_s_1_thread"));
    Double two = Report.number(results.get("jdbc_point_selects_per_s_2_threads"));
    results.put("jdbc_point_selects_per_s", Math.max(one == null ? 0 : one, two == null ? 0 : two));
  }

  private void projection() throws Exception {
    EventFiller filler = new EventFiller(settings.prefillAccounts());
    Profiler[] profiler = new Profiler[1];
    try {
      Projection.measure(stack, options.projectorGroup(), EVENTS_TOPIC, filler, settings.prefillEvents(),
          settings.projectionLimit(), results, () -> profiler[0] = options.jfr() ? Profiler.start(stack, "projector") : null);
    } finally {
      prefilledAccounts = filler.accounts();
    }
    Long rows = Projection.visibleTransactionRows(stack.ports, results);
    long expected = settings.prefillEvents() - settings.prefillAccounts();
    results.put("projection_rows_visible", rows);
    System.out.printf("  read model holds %s transaction rows (expected %,d)%n", rows, expected);
    if (rows != null && rows != expected) {
      results.put("projection_rows_mismatch", "expected " + expected + " transaction rows, the read model shows " + rows);
    }
    if (profiler[0] != null) {
      profiles.put("projector_during_projection", profiler[0].stop(15));
    }
  }

  private void rebuild() throws Exception {
    long events;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.ports.bootstrap()))) {
      Set<TopicPartition> partitions = admin.describeTopics(List.of(EVENTS_TOPIC)).allTopicNames().get().get(EVENTS_TOPIC)
          .partitions().stream().map(info -> new TopicPartition(EVENTS_TOPIC, info.partition())).collect(Collectors.toSet());
      events = Projection.endOffsets(admin, partitions);
    }
    List<String> args = new ArrayList<>(List.of("rebuild"));
    args.addAll(options.rebuildArgs());
    System.out.printf("  ./tally %s over %,d events ...%n", String.join(" ", args), events);
    Proc.Result rebuild = stack.tally(settings.rebuildLimit(), args.toArray(String[]::new));
    results.put("rebuild_events", events);
    results.put("rebuild_exit", rebuild.exit());
    if (!rebuild.ok()) {
      results.put("rebuild_1m_s", null);
      results.put("rebuild_error", "exit " + rebuild.exit() + ": " + rebuild.tail(5));
      System.out.println("  rebuild FAILED (exit " + rebuild.exit() + "):\n" + rebuild.tail(5).indent(4));
      return;
    }
    results.put("rebuild_s", rebuild.seconds());
    results.put("rebuild_output_tail", rebuild.tail(4).lines().toList());
    boolean scaled = events < 1_000_000;
    results.put("rebuild_1m_s", scaled ? rebuild.seconds() * 1_000_000 / Math.max(1, events) : rebuild.seconds());
    results.put("rebuild_1m_extrapolated", scaled);
    System.out.printf("  rebuild took %.1f s for %,d events%s%n", rebuild.seconds(), events,
        scaled ? String.format(" (%.1f s per million, extrapolated)", results.get("rebuild_1m_s")) : "");
  }

  private void ingest() throws Exception {
    int port = stack.ports.command();
    long start = System.nanoTime();
    ingestAccounts = Calls.openAccounts(port, settings.ingestAccounts(), Settings.OPEN_ACCOUNT_WORKERS);
    double seconds = (System.nanoTime() - start) / 1e9;
    results.put("open_accounts_per_s", ingestAccounts.size() / seconds);
    System.out.printf("  opened %,d accounts in %.1f s (%,.0f/s, %d clients)%n", ingestAccounts.size(), seconds,
        ingestAccounts.size() / seconds, Settings.OPEN_ACCOUNT_WORKERS);

    Profiler profiler = options.jfr() ? Profiler.start(stack, "command-api") : null;
    double best = 0;
    for (int workers : Settings.INGEST_WORKERS) {
      Load.Result closed = Load.closed(workers, () -> Calls.deposits(port, ingestAccounts), settings.warmUp(),
          settings.closedDuration());
      record("ingest_closed_" + workers, closed);
      System.out.printf("  closed loop, %d clients: %s%n", workers, closed.summary());
      best = Math.max(best, closed.perSecond());
      if (profiler != null) {
        profiles.put("command-api_during_ingest_" + workers + "_clients", profiler.stop(15));
        profiler = null;
      }
    }
    results.put("ingest_cmds_per_s", best);

    Load.Result open = Load.open(Settings.INGEST_OPEN_RATE, Settings.INGEST_OPEN_WORKERS,
        () -> Calls.deposits(port, ingestAccounts),
        settings.warmUp().dividedBy(2), settings.openDuration());
    record("ingest_open_2000", open);
    results.put("ingest_p50_ms_at_2000", open.percentileMillis(50));
    results.put("ingest_p99_ms_at_2000", open.percentileMillis(99));
    System.out.println("  open loop at 2,000/s: " + open.summary());
  }

  private void query() throws Exception {
    int port = stack.ports.query();
    List<UUID> accounts = prefilledAccounts.isEmpty() ? ingestAccounts : prefilledAccounts;
    if (accounts.isEmpty()) {
      throw new IllegalStateException("no accounts to read: the projection or ingest phase must run first");
    }
    double best = 0;
    Profiler profiler = options.jfr() ? Profiler.start(stack, "query-api") : null;
    boolean first = true;
    for (int workers : Settings.QUERY_WORKERS) {
      // The query API has not served a request yet: the first level warms its JIT for the full warm-up.
      Load.Result closed = Load.closed(workers, () -> Calls.reads(port, accounts),
          first ? settings.warmUp() : settings.warmUp().dividedBy(2), settings.queryClosedDuration());
      first = false;
      record("query_closed_" + workers, closed);
      System.out.printf("  closed loop, %d connections: %s%n", workers, closed.summary());
      if (closed.errorCount() == 0 || closed.ok() > 0) {
        best = Math.max(best, closed.perSecond());
      }
    }
    if (profiler != null) {
      profiles.put("query-api_during_query", profiler.stop(15));
    }
    results.put("query_rps", best);
    double half = Math.floor(best / 2);
    Load.Result open = Load.open(half, Settings.QUERY_OPEN_WORKERS, () -> Calls.reads(port, accounts), settings.warmUp().dividedBy(2),
        settings.openDuration());
    record("query_open_half", open);
    results.put("query_offered_rate_at_half", half);
    results.put("query_p50_ms_at_half", open.percentileMillis(50));
    results.put("query_p99_ms_at_half", open.percentileMillis(99));
    System.out.printf("  open loop at %,.0f/s: %s%n", half, open.summary());
  }

  private void endToEnd() throws Exception {
    List<UUID> accounts = ingestAccounts.isEmpty()
        ? Calls.openAccounts(stack.ports.command(), settings.ingestAccounts(), Settings.OPEN_ACCOUNT_WORKERS)
        : ingestAccounts;
    Load.Result open = Load.open(Settings.E2E_RATE, Settings.E2E_WORKERS,
        () -> Calls.writeThenRead(stack.ports.command(), stack.ports.query(), accounts),
        settings.warmUp().dividedBy(2), settings.e2eDuration());
    record("e2e_open_1000", open);
    results.put("e2e_p50_ms_at_1000", open.percentileMillis(50));
    results.put("e2e_p99_ms_at_1000", open.percentileMillis(99));
    System.out.println("  open loop at 1,000/s, deposit then read with its token: " + open.summary());
  }

  private void record(String prefix, Load.Result result) {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("ok", result.ok());
    figures.put("per_s", result.perSecond());
    figures.put("seconds", result.seconds());
    figures.put("p50_ms", result.percentileMillis(50));
    figures.put("p90_ms", result.percentileMillis(90));
    figures.put("p99_ms", result.percentileMillis(99));
    figures.put("p999_ms", result.percentileMillis(99.9));
    figures.put("max_ms", result.maxMillis());
    figures.put("errors", result.errors());
    figures.put("not_sent_in_time", result.unsent());
    figures.put("connections", result.workers());
    figures.put("max_busy_connections", result.maxInFlight());
    figures.put("sent_more_than_5ms_late", result.sentLate());
    results.put(prefix, figures);
  }

  private Map<String, Object> sizes() {
    Map<String, Object> sizes = new LinkedHashMap<>();
    sizes.put("kafka_perf_records", settings.kafkaRecords());
    sizes.put("copy_rows", settings.copyRows());
    sizes.put("point_select_rows", settings.selectAccounts());
    sizes.put("prefill_events", settings.prefillEvents());
    sizes.put("prefill_accounts", settings.prefillAccounts());
    sizes.put("ingest_accounts", settings.ingestAccounts());
    sizes.put("warm_up_s", settings.warmUp().toSeconds());
    sizes.put("closed_loop_s", settings.closedDuration().toSeconds());
    sizes.put("open_loop_s", settings.openDuration().toSeconds());
    return sizes;
  }

  private void printProfiles() {
    profiles.forEach((name, profile) -> {
      System.out.printf("%nJFR %s:%n", name);
      Map<?, ?> map = (Map<?, ?>) profile;
      ((List<?>) map.get("top_packages")).stream().limit(8).forEach(line -> System.out.println("  " + line));
      System.out.println("  top methods:");
      ((List<?>) map.get("top_methods")).stream().limit(10).forEach(line -> System.out.println("  " + line));
      System.out.println("  innermost Tally method on the stack:");
      ((List<?>) map.get("innermost_tally_frames")).stream().limit(8).forEach(line -> System.out.println("  " + line));
    });
  }

  private Path libDir() {
    try {
      Path code = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path beside = code.getParent().resolve("lib");
      return Files.isDirectory(beside) ? beside : options.root().resolve("bench/target/lib");
    } catch (URISyntaxException e) {
      return options.root().resolve("bench/target/lib");
    }
  }

  private String git(String... args) {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Proc.Result result = Proc.run(command, options.root(), Map.of(), Duration.ofSeconds(30),
        stack.logs.resolve("git.log"));
    return result.ok() ? result.output().strip() : "unknown";
  }
}
