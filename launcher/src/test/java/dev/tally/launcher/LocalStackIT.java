package dev.tally.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Await;
import dev.tally.testing.Http;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives {@code ./tally up}, {@code down} and {@code reset} as a person would, on free ports and in
 * a data directory of its own, against the jars this build has just packaged.
 */
class LocalStackIT {

  @TempDir
  Path home;

  private Stack stack;
  private Map<String, String> env;

  @BeforeEach
  void stack() {
    stack = new Stack(home);
    env = stack.env;
  }

  @AfterEach
  void down() throws Exception {
    tally("down");
  }

  @Test
  void upStartsEveryServiceHealthyStartsOnlyWhatIsMissingDownStopsThemAllAndASecondUpFindsTheData() throws Exception {
    stack.onFreePorts(2);

    Stack.Result up = tally("up");
    assertThat(up.exitCode()).as(up.output()).isZero();
    assertThat(up.output()).contains("Tally is up.", "curl", home.resolve("logs").toString());
    for (String service : List.of("COMMAND", "QUERY", "PROJECTOR")) {
      var health = Http.get(stack.url(service) + "/actuator/health");
      assertThat(health.body()).as(service).contains("\"status\":\"UP\"");
    }
    String account = readYourWritesThroughEveryService();
    Stack.Result history = tally("history", account);
    assertThat(history.exitCode()).as(history.output()).isZero();
    assertThat(history.output()).contains("account.opened", "account.deposited").containsPattern("(?m)^\\s*201\\s");
    Stack.Result status = tally("status");
    assertThat(status.exitCode()).as(status.output()).isZero();
    assertThat(status.output()).contains("tally-projector", "tally-account-writer");
    try (Connection db = stack.database(); Statement s = db.createStatement()) {
      s.execute("CREATE TABLE kept (value int); INSERT INTO kept VALUES (42)");
    }

    List<ProcessHandle> processes = stack.processes();
    assertThat(processes).hasSize(5);
    Stack.Result again = tally("up");
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.output()).contains("query-api is already running", "nothing to start", "Tally is up.");
    assertThat(stack.processes()).as("nothing restarted").containsExactlyInAnyOrderElementsOf(processes);

    processes = upBringsBackAKilledServiceAlone(processes);
    processes = upBringsBackAKilledPostgresServerAlone(processes, account);
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
    assertThat(Files.readString(home.resolve("logs/topics.log"))).contains("tally.account-events: exists, 2 partitions");
  }

  @Test
  void upRefusesATakenPortAndStartsNothing() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      env.put("TALLY_QUERY_PORT", String.valueOf(taken.getLocalPort()));
      Stack.Result up = tally("up");
      assertThat(up.exitCode()).isNotZero();
      assertThat(up.output()).contains("port " + taken.getLocalPort() + " (for the query API) is already in use");
      assertThat(stack.processes()).isEmpty();
    }
  }

  @Test
  void upRefusesADamagedKafkaDirectoryAndStartsNothing() throws Exception {
    Files.createDirectories(home.resolve("data/kafka"));
    Files.writeString(home.resolve("data/kafka/leftover"), "x");
    Stack.Result up = tally("up");
    assertThat(up.exitCode()).isNotZero();
    assertThat(up.output()).contains("Kafka data directory", "is damaged", "./tally reset");
    assertThat(stack.processes()).isEmpty();

    assertThat(tally("reset").exitCode()).isZero();
    assertThat(home.resolve("data")).doesNotExist();
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
  private List<ProcessHandle> upBringsBackAKilledPostgresServerAlone(List<ProcessHandle> before, String account)
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
    List<ProcessHandle> after = stack.processes();
    assertThat(after).hasSize(5).containsAll(before.stream().filter(process -> !process.equals(launcher)).toList());
    try (Connection db = stack.database(); Statement s = db.createStatement(); ResultSet rows = s.executeQuery("SELECT value FROM kept")) {
      assertThat(rows.next()).isTrue();
    }
    // The query API's pooled connections died with the server: it reconnects on its own.
    Await.until(Duration.ofSeconds(60), "the query API reads from the restarted PostgreSQL",
        () -> Http.get(stack.url("QUERY") + "/accounts/" + account).statusCode() == 200);
    return after;
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

  private Stack.Result tally(String... command) throws Exception {
    return stack.tally(command);
  }
}
