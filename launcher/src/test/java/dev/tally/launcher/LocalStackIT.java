package dev.tally.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Http;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives {@code ./tally up}, {@code down} and {@code reset} as a person would, on free ports and in
 * a data directory of its own, against the jars this build has just packaged.
 */
class LocalStackIT {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir
  Path home;

  private final Map<String, String> env = new HashMap<>();

  @AfterEach
  void down() throws Exception {
    tally("down");
  }

  @Test
  void upStartsEveryServiceHealthyDownStopsThemAllAndASecondUpFindsTheData() throws Exception {
    for (String name : List.of("KAFKA", "CONTROLLER", "POSTGRES", "COMMAND", "QUERY", "PROJECTOR")) {
      env.put("TALLY_" + name + "_PORT", String.valueOf(freePort()));
    }
    env.put("TALLY_PARTITIONS", "2");

    Result up = tally("up");
    assertThat(up.exitCode()).as(up.output()).isZero();
    assertThat(up.output()).contains("Tally is up.", "curl", home.resolve("logs").toString());
    for (String service : List.of("COMMAND", "QUERY", "PROJECTOR")) {
      var health = Http.get("http://127.0.0.1:" + env.get("TALLY_" + service + "_PORT") + "/actuator/health");
      assertThat(health.body()).as(service).contains("\"status\":\"UP\"");
    }
    String account = readYourWritesThroughEveryService();
    Result history = tally("history", account);
    assertThat(history.exitCode()).as(history.output()).isZero();
    assertThat(history.output()).contains("account.opened", "account.deposited").containsPattern("(?m)^\\s*201\\s");
    Result status = tally("status");
    assertThat(status.exitCode()).as(status.output()).isZero();
    assertThat(status.output()).contains("tally-projector", "tally-account-writer");
    try (Connection db = database(); Statement s = db.createStatement()) {
      s.execute("CREATE TABLE kept (value int); INSERT INTO kept VALUES (42)");
    }

    Result again = tally("up");
    assertThat(again.exitCode()).isNotZero();
    assertThat(again.output()).contains("already running");

    List<ProcessHandle> stack = stackProcesses();
    assertThat(stack).hasSize(5);
    Result down = tally("down");
    assertThat(down.exitCode()).as(down.output()).isZero();
    assertThat(stack).noneMatch(ProcessHandle::isAlive);
    assertThat(home.resolve("data/postgres/postmaster.pid")).doesNotExist();

    Result second = tally("up");
    assertThat(second.exitCode()).as(second.output()).isZero();
    try (Connection db = database(); Statement s = db.createStatement(); ResultSet rows = s.executeQuery("SELECT value FROM kept")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getInt(1)).isEqualTo(42);
    }
    assertThat(Files.readString(home.resolve("logs/topics.log"))).contains("tally.account-events: exists, 2 partitions");
  }

  @Test
  void upRefusesATakenPortAndStartsNothing() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      env.put("TALLY_QUERY_PORT", String.valueOf(taken.getLocalPort()));
      Result up = tally("up");
      assertThat(up.exitCode()).isNotZero();
      assertThat(up.output()).contains("port " + taken.getLocalPort() + " (for the query API) is already in use");
      assertThat(stackProcesses()).isEmpty();
    }
  }

  @Test
  void upRefusesADamagedKafkaDirectoryAndStartsNothing() throws Exception {
    Files.createDirectories(home.resolve("data/kafka"));
    Files.writeString(home.resolve("data/kafka/leftover"), "x");
    Result up = tally("up");
    assertThat(up.exitCode()).isNotZero();
    assertThat(up.output()).contains("Kafka data directory", "is damaged", "./tally reset");
    assertThat(stackProcesses()).isEmpty();

    assertThat(tally("reset").exitCode()).isZero();
    assertThat(home.resolve("data")).doesNotExist();
  }

  /** A write, then a read with its token, sees the write at once: 200 times in a row, no sleeping. */
  private String readYourWritesThroughEveryService() {
    String commands = "http://127.0.0.1:" + env.get("TALLY_COMMAND_PORT");
    String queries = "http://127.0.0.1:" + env.get("TALLY_QUERY_PORT");
    var opened = post(commands + "/accounts", "{\"owner\": \"erin\", \"currency\": \"EUR\"}");
    assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
    String account = json(opened.body(), "accountId");
    for (int i = 1; i <= 200; i++) {
      var deposited = post(commands + "/accounts/" + account + "/deposits", "{\"amount\": 1}");
      assertThat(deposited.statusCode()).as(deposited.body()).isEqualTo(200);
      var read = Http.send(HttpRequest.newBuilder(URI.create(queries + "/accounts/" + account))
          .header("Consistency-Token", json(deposited.body(), "consistencyToken")).GET().build());
      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      assertThat(json(read.body(), "balance")).as("balance after deposit %d", i).isEqualTo(String.valueOf(i));
    }
    return account;
  }

  private static java.net.http.HttpResponse<String> post(String url, String body) {
    return Http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static String json(String body, String field) {
    Matcher matcher = Pattern.compile("\"" + field + "\":\"?([^\",}]*)").matcher(body);
    assertThat(matcher.find()).as("%s in %s", field, body).isTrue();
    return matcher.group(1);
  }

  private Connection database() throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + env.get("TALLY_POSTGRES_PORT") + "/tally",
        LocalPostgres.WRITER_ROLE, LocalPostgres.WRITER_ROLE);
  }

  /** The processes whose pids ./tally recorded. */
  private List<ProcessHandle> stackProcesses() throws IOException {
    Path run = home.resolve("run");
    List<ProcessHandle> processes = new ArrayList<>();
    if (Files.isDirectory(run)) {
      try (Stream<Path> files = Files.list(run)) {
        for (Path file : files.toList()) {
          ProcessHandle.of(Long.parseLong(Files.readString(file).strip()))
              .filter(ProcessHandle::isAlive).ifPresent(processes::add);
        }
      }
    }
    return processes;
  }

  private Result tally(String... command) throws Exception {
    List<String> line = new ArrayList<>(List.of(ROOT.resolve("tally").toString()));
    line.addAll(List.of(command));
    ProcessBuilder builder = new ProcessBuilder(line)
        .directory(ROOT.toFile())
        .redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("TALLY_HOME", home.toString());
    Process process = builder.start();
    String output;
    try (var in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(Duration.ofMinutes(3).toSeconds(), TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private record Result(int exitCode, String output) {
  }
}
