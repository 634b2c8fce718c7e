package dev.tally.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.AggregateTopics;
import dev.tally.schemas.Aggregates;
import dev.tally.testing.AccountEvents;
import dev.tally.testing.Await;
import dev.tally.testing.Http;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives {@code ./tally} as a person would, on free ports and in a data directory of its own,
 * against the jars this build has just packaged. One stack serves the ordered steps (every start
 * of a whole stack costs a minute here): {@code up}, read-your-writes through every service,
 * {@code up} on a partly running stack, {@code rebuild} while a client reads without pause and
 * another keeps writing, a rebuild that fails verification, then {@code down} and a second
 * {@code up} that finds the data. Refusals to start run in homes of their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackIT {

  private static final int ACCOUNTS = 20;

  @TempDir
  static Path home;

  private Stack stack;
  private String account;
  private final List<String> accounts = new ArrayList<>();
  private final Map<String, AtomicLong> balances = new ConcurrentHashMap<>();
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  @BeforeAll
  void stack() throws Exception {
    stack = new Stack(home).onFreePorts(3);
  }

  @AfterAll
  void down() throws Exception {
    stack.tally("down");
  }

  @Test
  @Order(1)
  void upStartsEveryServiceHealthyAndAReadSeesTheWriteBeforeIt() throws Exception {
    Stack.Result up = tally("up");
    assertThat(up.exitCode()).as(up.output()).isZero();
    assertThat(up.output()).contains("Tally is up.", "curl", home.resolve("logs").toString());
    for (String service : List.of("COMMAND", "QUERY", "PROJECTOR")) {
      var health = Http.get(stack.url(service) + "/actuator/health");
      assertThat(health.body()).as(service).contains("\"status\":\"UP\"");
    }
    account = readYourWritesThroughEveryService();
    Stack.Result history = tally("history", account);
    assertThat(history.exitCode()).as(history.output()).isZero();
    assertThat(history.output()).contains("account.opened", "account.deposited").containsPattern("(?m)^\\s*201\\s");
    Stack.Result status = tally("status");
    assertThat(status.exitCode()).as(status.output()).isZero();
    assertThat(status.output()).contains("tally-projector", "tally-account-writer");
    try (Connection db = stack.database(); Statement s = db.createStatement()) {
      s.execute("CREATE TABLE kept (value int); INSERT INTO kept VALUES (42)");
    }
  }

  @Test
  @Order(2)
  void upStartsOnlyWhatIsMissing() throws Exception {
    List<ProcessHandle> processes = stack.processes();
    assertThat(processes).hasSize(5);
    Stack.Result again = tally("up");
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.output()).contains("query-api is already running", "nothing to start", "Tally is up.");
    assertThat(stack.processes()).as("nothing restarted").containsExactlyInAnyOrderElementsOf(processes);

    processes = upBringsBackAKilledServiceAlone(processes);
    upBringsBackAKilledPostgresServerAlone(processes, account);
  }

  @Test
  @Order(3)
  void rebuildReadersNeitherFailNorSeeAHalfBuiltModelAndEndUpWithEveryWrite() throws Exception {
    for (int i = 0; i < ACCOUNTS; i++) {
      var opened = Stack.post(stack.url("COMMAND") + "/accounts", "{\"owner\": \"reader-" + i + "\", \"currency\": \"EUR\"}");
      assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
      String opening = Stack.json(opened.body(), "accountId");
      accounts.add(opening);
      balances.put(opening, new AtomicLong());
      deposit(opening, 10 + i);
    }
    // Also watched: the projector stays healthy through the build, the switch and the hand-over.
    AtomicBoolean stop = new AtomicBoolean();
    Queue<String> problems = new ConcurrentLinkedQueue<>();
    AtomicLong reads = new AtomicLong();
    Thread reader = Thread.ofPlatform().start(() -> {
      Map<String, Long> seen = new java.util.HashMap<>();
      while (!stop.get()) {
        HttpResponse<String> health = Http.get(stack.url("PROJECTOR") + "/actuator/health");
        if (health.statusCode() != 200) {
          problems.add("projector health " + health.statusCode() + ": " + health.body());
        }
        for (String account : accounts) {
          HttpResponse<String> read = Http.get(stack.url("QUERY") + "/accounts/" + account);
          reads.incrementAndGet();
          if (read.statusCode() != 200) {
            problems.add("read " + account + ": " + read.statusCode() + " " + read.body());
            continue;
          }
          long version = Long.parseLong(Stack.json(read.body(), "version"));
          Long before = seen.put(account, version);
          if (before != null && version < before) {
            problems.add("account " + account + " went back from version " + before + " to " + version);
          }
        }
      }
    });
    Thread writer = Thread.ofPlatform().start(() -> {
      while (!stop.get()) {
        try {
          deposit(accounts.get(ThreadLocalRandom.current().nextInt(ACCOUNTS)), 1);
        } catch (AssertionError e) {
          problems.add("write: " + e.getMessage());
        }
      }
    });
    long readsBefore = reads.get();

    Stack.Result rebuild = stack.tally("rebuild");

    long readsDuring = reads.get() - readsBefore;
    stop.set(true);
    reader.join();
    writer.join();
    assertThat(rebuild.exitCode()).as(rebuild.output()).isZero();
    assertThat(rebuild.output()).contains("verified against the log", "switched: readers now see generation 2",
        "retired generation 1");
    assertThat(problems).as("failed or backward reads").isEmpty();
    assertThat(readsDuring).as("reads while rebuilding").isGreaterThan(ACCOUNTS);
    for (String account : accounts) {
      HttpResponse<String> read = Stack.get(stack.url("QUERY") + "/accounts/" + account, tokens.get(account));
      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      assertThat(Stack.json(read.body(), "balance")).as(account).isEqualTo(String.valueOf(balances.get(account).get()));
    }
    assertThat(generations()).containsExactly("1 RETIRED", "2 LIVE");
  }

  @Test
  @Order(4)
  void aRebuildOfALogTheModelCannotMatchFailsVerificationAndSwitchesNothing() throws Exception {
    // An event filed under another account's key: the projector parks that key, the fold refuses it.
    String victim = accounts.getFirst();
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka()),
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(AccountEvents.record(AggregateTopics.of(Aggregates.ACCOUNT).events(), UUID.randomUUID().toString(),
          AccountEvents.deposited(victim, 1_000, 5, 5, Instant.now()), null)).get();
    }

    Stack.Result rebuild = stack.tally("rebuild");

    assertThat(rebuild.exitCode()).as(rebuild.output()).isEqualTo(3);
    assertThat(rebuild.output()).contains("generation 3 does not match the log; nothing was switched", "cannot be folded")
        .doesNotContain("switched: readers");
    assertThat(generations()).containsExactly("1 RETIRED", "2 LIVE", "3 FAILED");
    HttpResponse<String> read = Stack.get(stack.url("QUERY") + "/accounts/" + victim, tokens.get(victim));
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    assertThat(Stack.json(read.body(), "balance")).isEqualTo(String.valueOf(balances.get(victim).get()));
  }

  @Test
  @Order(5)
  void downStopsThemAllAndASecondUpFindsTheData() throws Exception {
    List<ProcessHandle> processes = stack.processes();
    Stack.Result down = tally("down");
    assertThat(down.exitCode()).as(down.output()).isZero();
    assertThat(processes).noneMatch(ProcessHandle::isAlive);
    assertThat(home.resolve("data/postgres/postmaster.pid")).doesNotExist();

    Stack.Result second = tally("up");
    assertThat(second.exitCode()).as(second.output()).isZero();
    try (Connection db = stack.database(); Statement s = db.createStatement(); ResultSet rows = s.executeQuery("SELECT value FROM kept")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getInt(1)).isEqualTo(42);
    }
    assertThat(Files.readString(home.resolve("logs/topics.log"))).contains("tally.account-events: exists, 3 partitions");
  }

  @Test
  void upRefusesATakenPortAndStartsNothing(@TempDir Path elsewhere) throws Exception {
    Stack fresh = new Stack(elsewhere).onFreePorts(1);
    try (ServerSocket taken = new ServerSocket(0)) {
      fresh.env.put("TALLY_QUERY_PORT", String.valueOf(taken.getLocalPort()));
      Stack.Result up = fresh.tally("up");
      assertThat(up.exitCode()).isNotZero();
      assertThat(up.output()).contains("port " + taken.getLocalPort() + " (for the query API) is already in use");
      assertThat(fresh.processes()).isEmpty();
    }
  }

  @Test
  void upRefusesADamagedKafkaDirectoryAndStartsNothing(@TempDir Path elsewhere) throws Exception {
    Stack fresh = new Stack(elsewhere).onFreePorts(1);
    Files.createDirectories(elsewhere.resolve("data/kafka"));
    Files.writeString(elsewhere.resolve("data/kafka/leftover"), "x");
    Stack.Result up = fresh.tally("up");
    assertThat(up.exitCode()).isNotZero();
    assertThat(up.output()).contains("Kafka data directory", "is damaged", "./tally reset");
    assertThat(fresh.processes()).isEmpty();

    assertThat(fresh.tally("reset").exitCode()).isZero();
    assertThat(elsewhere.resolve("data")).doesNotExist();
  }

  /** A query API killed hard: ./tally up starts it alone, and it serves reads again. */
  private List<ProcessHandle> upBringsBackAKilledServiceAlone(List<ProcessHandle> before) throws Exception {
    ProcessHandle queryApi = stack.process("query-api");
    queryApi.destroyForcibly();
    queryApi.onExit().get();

    Stack.Result up = tally("up");

    assertThat(up.exitCode()).as(up.output()).isZero();
    assertThat(up.output()).contains("starting query-api", "postgres is already running", "command-api is already running");
    List<ProcessHandle> after = stack.processes();
    assertThat(after).hasSize(5).containsAll(before.stream().filter(process -> !process.equals(queryApi)).toList());
    assertThat(Http.get(stack.url("QUERY") + "/actuator/health").body()).contains("\"status\":\"UP\"");
    return after;
  }

  /**
   * The PostgreSQL server killed hard (its launcher lives on): ./tally up stops the launcher, starts
   * PostgreSQL alone on the same data, and the query API reads from it again.
   */
  private void upBringsBackAKilledPostgresServerAlone(List<ProcessHandle> before, String account)
      throws Exception {
    ProcessHandle server = ProcessHandle.of(Long.parseLong(
        Files.readAllLines(home.resolve("data/postgres/postmaster.pid")).getFirst().strip())).orElseThrow();
    ProcessHandle launcher = stack.process("postgres");
    server.destroyForcibly();
    server.onExit().get();

    Stack.Result up = tally("up");

    assertThat(up.exitCode()).as(up.output()).isZero();
    assertThat(up.output()).contains("starting postgres", "stopped postgres", "projector is already running");
    assertThat(launcher.isAlive()).isFalse();
    assertThat(stack.processes()).hasSize(5)
        .containsAll(before.stream().filter(process -> !process.equals(launcher)).toList());
    try (Connection db = stack.database(); Statement s = db.createStatement(); ResultSet rows = s.executeQuery("SELECT value FROM kept")) {
      assertThat(rows.next()).isTrue();
    }
    // The query API's pooled connections died with the server: it reconnects on its own.
    Await.until(Duration.ofSeconds(60), "the query API reads from the restarted PostgreSQL",
        () -> Http.get(stack.url("QUERY") + "/accounts/" + account).statusCode() == 200);
  }

  /** A write, then a read with its token, sees the write at once: 200 times in a row, no sleeping. */
  private String readYourWritesThroughEveryService() {
    String commands = stack.url("COMMAND");
    String queries = stack.url("QUERY");
    var opened = Stack.post(commands + "/accounts", "{\"owner\": \"erin\", \"currency\": \"EUR\"}");
    assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
    String account = Stack.json(opened.body(), "accountId");
    for (int i = 1; i <= 200; i++) {
      var deposited = Stack.post(commands + "/accounts/" + account + "/deposits", "{\"amount\": 1}");
      assertThat(deposited.statusCode()).as(deposited.body()).isEqualTo(200);
      var read = Stack.get(queries + "/accounts/" + account, Stack.json(deposited.body(), "consistencyToken"));
      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      assertThat(Stack.json(read.body(), "balance")).as("balance after deposit %d", i).isEqualTo(String.valueOf(i));
    }
    return account;
  }

  private void deposit(String account, long amount) {
    var deposited = Stack.post(stack.url("COMMAND") + "/accounts/" + account + "/deposits", "{\"amount\": " + amount + "}");
    assertThat(deposited.statusCode()).as(deposited.body()).isEqualTo(200);
    balances.get(account).addAndGet(amount);
    tokens.put(account, Stack.json(deposited.body(), "consistencyToken"));
  }

  private List<String> generations() throws Exception {
    try (Connection db = stack.database(); Statement statement = db.createStatement();
         ResultSet rows = statement.executeQuery("SELECT generation || ' ' || state FROM tally_control.generations ORDER BY 1")) {
      List<String> result = new ArrayList<>();
      while (rows.next()) {
        result.add(rows.getString(1));
      }
      return result;
    }
  }

  private Stack.Result tally(String... command) throws Exception {
    return stack.tally(command);
  }
}
