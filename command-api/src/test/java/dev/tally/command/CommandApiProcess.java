package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Http;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The packaged command API as a child JVM, as {@code ./tally up} runs it: it can be stopped
 * cleanly (SIGTERM) or killed (SIGKILL: no shutdown hook, no last commit, no leaving the group).
 */
final class CommandApiProcess implements AutoCloseable {

  private static final Path JAR = Path.of(System.getProperty("tally.command.jar",
      "target/tally-command-api-0.1.0-SNAPSHOT.jar"));

  private final Process process;
  private final String baseUrl;

  private CommandApiProcess(Process process, int port) {
    this.process = process;
    this.baseUrl = "http://127.0.0.1:" + port;
  }

  /** Starts one instance on a free port; {@code extra} are more {@code --name=value} arguments. */
  static CommandApiProcess start(String bootstrapServers, CommandApiTopics topics, Path stateDir, Path log,
      String... extra) throws IOException {
    assertThat(JAR).as("the packaged command API (run by Failsafe after package)").exists();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(),
        "--server.port=" + port,
        "--spring.kafka.bootstrap-servers=" + bootstrapServers,
        "--tally.topics.account.commands=" + topics.commands(),
        "--tally.topics.account.results=" + topics.results(),
        "--tally.topics.account.events=" + topics.events(),
        "--tally.command.application-ids.account=" + topics.applicationId(),
        "--tally.command.state-dir=" + stateDir,
        "--tally.tokens.keys=" + testSetting("tally.tokens.keys")));
    command.addAll(List.of(extra));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new CommandApiProcess(process, port);
  }

  /** A setting every test instance gets from the test classpath's application.properties, which the jar lacks. */
  private static String testSetting(String name) throws IOException {
    Properties settings = new Properties();
    try (var in = CommandApiProcess.class.getResourceAsStream("/application.properties")) {
      settings.load(in);
    }
    return settings.getProperty(name);
  }

  boolean healthy() {
    try {
      return process.isAlive() && Http.get(baseUrl + "/actuator/health").statusCode() == 200;
    } catch (IllegalStateException notListeningYet) {
      return false;
    }
  }

  HttpResponse<String> post(String path, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return Http.send(request.build());
  }

  /** SIGTERM: Spring closes the writer, which commits, checkpoints its state and leaves the group. */
  void stop() throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
  }

  /** SIGKILL: the process dies where it stands. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
