package dev.tally.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Http;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A local stack driven through {@code ./tally} as a person would, in a home directory of its own,
 * against the jars this build has just packaged.
 */
final class Stack {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  final Map<String, String> env = new HashMap<>();
  private final Path home;

  Stack(Path home) {
    this.home = home;
    // A bound against a start that hangs, not a measure: a busy machine starts the services slowly.
    env.put("TALLY_START_WAIT", "300");
  }

  /** Every port on a free one, and this many partitions per topic. */
  Stack onFreePorts(int partitions) throws IOException {
    for (String name : List.of("KAFKA", "CONTROLLER", "POSTGRES", "COMMAND", "QUERY", "PROJECTOR")) {
      env.put("TALLY_" + name + "_PORT", String.valueOf(freePort()));
    }
    env.put("TALLY_PARTITIONS", String.valueOf(partitions));
    return this;
  }

  String url(String service) {
    return "http://127.0.0.1:" + env.get("TALLY_" + service + "_PORT");
  }

  String kafka() {
    return "127.0.0.1:" + env.get("TALLY_KAFKA_PORT");
  }

  Connection database() throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + env.get("TALLY_POSTGRES_PORT") + "/tally",
        LocalPostgres.WRITER_ROLE, LocalPostgres.WRITER_ROLE);
  }

  /** Runs {@code ./tally} with this stack's settings; waits for it (at most 10 minutes). */
  Result tally(String... command) throws Exception {
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
    assertThat(process.waitFor(Duration.ofMinutes(10).toSeconds(), TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  /** The processes whose pids ./tally recorded. */
  List<ProcessHandle> processes() throws IOException {
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

  /** The process whose pid ./tally recorded for {@code component} (postgres, kafka, projector, command-api, query-api). */
  ProcessHandle process(String component) throws IOException {
    long pid = Long.parseLong(Files.readString(home.resolve("run/" + component + ".pid")).strip());
    return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(component + " (pid " + pid + ") does not run"));
  }

  static HttpResponse<String> post(String url, String body) {
    return Http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  static HttpResponse<String> get(String url, String consistencyToken) {
    return Http.send(HttpRequest.newBuilder(URI.create(url)).header("Consistency-Token", consistencyToken).GET().build());
  }

  static String json(String body, String field) {
    Matcher matcher = Pattern.compile("\"" + field + "\":\"?([^\",}]*)").matcher(body);
    assertThat(matcher.find()).as("%s in %s", field, body).isTrue();
    return matcher.group(1);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  record Result(int exitCode, String output) {
  }
}
