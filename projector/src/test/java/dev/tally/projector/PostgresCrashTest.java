package dev.tally.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.testing.TestInfrastructure;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL crash under load loses its last commits (rows and checkpoint together) when it runs
 * without durable commits, as the local stack's does: the projector must notice that the read
 * model went back behind Kafka's committed offsets and apply those events again.
 *
 * <p>The test runs a PostgreSQL of its own with {@code fsync=off} and {@code synchronous_commit=off},
 * stops its WAL writer (so that the last commits stay in shared memory, as they would for an
 * instant in any crash), lets the projector commit a few thousand more events, then kills every
 * PostgreSQL process with SIGKILL and starts the server again on the same data directory.
 */
class PostgresCrashTest {

  private EmbeddedPostgres postgres;

  @AfterEach
  void stopPostgres() throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }

  private static EmbeddedPostgres startPostgres(Path dataDirectory, int port) throws IOException {
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDirectory)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("fsync", "off")
        .setServerConfig("synchronous_commit", "off")
        // WAL reaches the operating system only when the WAL writer or a full buffer writes it.
        .setServerConfig("wal_writer_delay", "10s")
        .setServerConfig("wal_buffers", "64MB")
        .setServerConfig("bgwriter_lru_maxpages", "0")
        .start();
  }

  @Test
  void aPostgresCrashThatLosesTheLastCommitsLeavesTheReadModelEqualToTheFoldOfTheLog() throws Exception {
    Path dataDirectory = Files.createDirectories(Path.of("target", "pg-crash",
        TestInfrastructure.uniqueName("data")).toAbsolutePath());
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    postgres = startPostgres(dataDirectory, port);
    TestInfrastructure.Database database = new TestInfrastructure.Database("localhost", port, "postgres", "postgres",
        "postgres");
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE ROLE " + ReadModel.READER_ROLE + " LOGIN PASSWORD '" + ReadModel.READER_ROLE + "'");
    }
    List<String> topics = TestInfrastructure.createTopics(3, "events", "dead-letters");
    String events = topics.get(0);
    DataSource serving = ReadModel.servingDataSource(database);

    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicLong produced = new AtomicLong();
    try (SpringProjector projector = SpringProjector.start(database, events, topics.get(1),
        TestInfrastructure.uniqueName("pg-crash"))) {
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        Ledger ledger = new Ledger(13, 300, Clock.systemUTC());
        try (EventLog log = EventLog.transactional(events)) {
          while (producing.get()) {
            log.append(ledger.next(40));
            produced.addAndGet(40);
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // pacing the load, not synchronising
          }
        }
      });

      await().atMost(Duration.ofSeconds(120)).until(() -> applied(serving, events) >= 3000);
      ProcessHandle postmaster = postmaster(dataDirectory);
      ProcessHandle walWriter = postmaster.descendants().filter(child -> title(child).contains("walwriter"))
          .findFirst().orElseThrow();
      signal("STOP", walWriter);
      long before = applied(serving, events);
      await().atMost(Duration.ofSeconds(120)).until(() -> applied(serving, events) >= before + 3000);
      List<ProcessHandle> all = postmaster.descendants().toList();
      postmaster.destroyForcibly();
      all.forEach(ProcessHandle::destroyForcibly);
      await().atMost(Duration.ofSeconds(30)).until(() -> !postmaster.isAlive() && all.stream().noneMatch(ProcessHandle::isAlive));
      postgres.close(); // releases the data directory's lock; the server is gone already
      postgres = startPostgres(dataDirectory, port);

      long atRestart = produced.get();
      await().atMost(Duration.ofSeconds(120)).until(() -> produced.get() >= atRestart + 2000);
      producing.set(false);
      writer.get(60, TimeUnit.SECONDS);

      List<ConsumerRecord<String, byte[]>> records = EventLog.readAll(events);
      Map<Integer, Long> last = new HashMap<>();
      records.forEach(record -> last.merge(record.partition(), record.offset(), Math::max));
      await().atMost(Duration.ofSeconds(180)).until(() -> ReadModel.checkpoints(serving, events).equals(last));
      ReadModel.Dump expected = Fold.of(EventLog.events(records));
      ReadModel.Dump actual = ReadModel.dump(serving);
      assertThat(actual.accounts()).as("account rows").isEqualTo(expected.accounts());
      assertThat(actual.transactions()).as("history lines").hasSameSizeAs(expected.transactions())
          .isEqualTo(expected.transactions());
    } finally {
      producing.set(false);
    }
  }

  private static long applied(DataSource db, String topic) {
    try {
      return ReadModel.checkpoints(db, topic).values().stream().mapToLong(Long::longValue).sum();
    } catch (IllegalStateException down) {
      return -1;
    }
  }

  /** The process title PostgreSQL sets ({@code postgres: walwriter}), which it writes over its arguments. */
  private static String title(ProcessHandle process) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
    } catch (IOException gone) {
      return "";
    }
  }

  private static ProcessHandle postmaster(Path dataDirectory) throws IOException {
    long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).getFirst().strip());
    return ProcessHandle.of(pid).orElseThrow();
  }

  private static void signal(String signal, ProcessHandle process) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
  }
}
