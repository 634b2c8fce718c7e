package dev.tally.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tally chaos --quick} as a person would run it, on free ports and in a home of its own,
 * against the jars this build has just packaged: every fault is injected, and every invariant
 * must hold afterwards.
 */
class ChaosIT {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** A bound against a hung run, far above its few minutes: never a measure of speed. */
  private static final Duration LIMIT = Duration.ofMinutes(45);

  @TempDir
  Path directory;

  @Test
  void theQuickFormInjectsEveryFaultAndEveryInvariantHolds() throws Exception {
    Path home = directory.resolve("home");
    Path log = directory.resolve("chaos.log");
    ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("tally").toString(), "chaos", "--quick", "--home",
        home.toString()).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    List<Integer> ports = new ArrayList<>();
    for (String name : List.of("KAFKA", "CONTROLLER", "POSTGRES", "COMMAND", "QUERY", "PROJECTOR")) {
      ports.add(freePort());
      builder.environment().put("TALLY_" + name + "_PORT", String.valueOf(ports.getLast()));
    }
    Process process = builder.start();
    boolean finished = process.waitFor(LIMIT.toMinutes(), TimeUnit.MINUTES);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    // The run's own report, kept in the test's output file whatever the outcome.
    System.out.println(output);

    assertThat(finished).as(output).isTrue();
    assertThat(output).as("a verdict line per fault and per check").contains("verdicts:")
        .containsPattern("(?m)^  no fault +acknowledged")
        .containsPattern("(?m)^  kill -9 command API +acknowledged")
        .containsPattern("(?m)^  kill -9 projector +acknowledged")
        .containsPattern("(?m)^  kill -9 query API +acknowledged")
        .containsPattern("(?m)^  kill -9 Kafka broker +acknowledged")
        .containsPattern("(?m)^  SIGSTOP Kafka broker +acknowledged")
        .containsPattern("(?m)^  kill -9 PostgreSQL +acknowledged")
        .containsPattern("(?m)^  log +.*events")
        .containsPattern("(?m)^  read model +schema")
        .containsPattern("(?m)^  balances +expected");
    assertThat(failures(output)).as(output).isEmpty();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(ports).as("the run stops its stack").noneMatch(ChaosIT::inUse);
    assertThat(home.resolve("data/postgres/postmaster.pid")).doesNotExist();
  }

  private static List<String> failures(String output) {
    return output.lines().filter(line -> line.startsWith("  ") && line.contains(": FAIL")).toList();
  }

  private static boolean inUse(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
