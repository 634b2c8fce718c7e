package dev.tally.query;

import dev.tally.testing.TestInfrastructure;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A PostgreSQL server of one test's own (the shared one must keep serving the others), which the
 * test can freeze as a hung host would (SIGSTOP to the postmaster and every backend), thaw, stop
 * and start again on the same port and data.
 */
final class PausablePostgres implements AutoCloseable {

  private final Path dataDirectory;
  private EmbeddedPostgres server;
  private int port;
  private final List<Long> paused = new ArrayList<>();

  private PausablePostgres(Path dataDirectory) {
    this.dataDirectory = dataDirectory;
  }

  /** A new server with a fresh data directory and the reader role. */
  static PausablePostgres start() {
    try {
      PausablePostgres postgres = new PausablePostgres(Files.createTempDirectory("tally-pausable-postgres"));
      postgres.startServer(0);
      try (Connection connection = postgres.database().connect(); Statement statement = connection.createStatement()) {
        statement.execute("CREATE ROLE %1$s LOGIN PASSWORD '%1$s'".formatted(ReadModelFixture.READER));
      }
      return postgres;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Its {@code postgres} database, as the superuser. */
  TestInfrastructure.Database database() {
    return new TestInfrastructure.Database("localhost", port, "postgres", "postgres", "postgres");
  }

  /** Freezes the postmaster and every backend: connections stay open, nothing answers. */
  void pause() {
    ProcessHandle postmaster = postmaster();
    paused.clear();
    paused.add(postmaster.pid());
    // The postmaster first, so that it forks no backend after the list of its children is taken.
    signal("STOP", paused);
    List<Long> backends = postmaster.descendants().map(ProcessHandle::pid).toList();
    paused.addAll(backends);
    if (!backends.isEmpty()) {
      signal("STOP", backends);
    }
  }

  void resume() {
    signal("CONT", paused);
    paused.clear();
  }

  /** A clean shutdown, as when the database is taken down. */
  void stop() {
    try {
      server.close();
      server = null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts it again on the same port and data. */
  void restart() {
    startServer(port);
  }

  @Override
  public void close() {
    if (!paused.isEmpty()) {
      resume();
    }
    if (server != null) {
      stop();
    }
    try (var files = Files.walk(dataDirectory)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void startServer(int fixedPort) {
    try {
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(false)
          .setPGStartupWait(Duration.ofSeconds(60));
      if (fixedPort != 0) {
        builder.setPort(fixedPort);
      }
      server = builder.start();
      port = server.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ProcessHandle postmaster() {
    try {
      long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).getFirst().strip());
      return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster " + pid));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void signal(String signal, List<Long> pids) {
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    try {
      Process kill = new ProcessBuilder(command).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
