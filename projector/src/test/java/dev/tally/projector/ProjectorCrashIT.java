package dev.tally.projector;

import dev.tally.runtime.projection.Projection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.runtime.projection.Generations;
import dev.tally.testing.GroupMembers;
import dev.tally.testing.TestInfrastructure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * Crash safety, the honest way: the packaged projector runs as a child JVM and is killed with
 * SIGKILL (no shutdown hook, no last commit) at random points while a writer keeps appending
 * events; it is restarted each time. Each restarted projector rejoins its group as the member it
 * was and projects again without waiting for the killed member's session to time out (that
 * timeout is far longer here than the wait). In the end the read model must be exactly the fold
 * of the event log: every account row and every history line, none missing, none twice.
 */
class ProjectorCrashIT {

  private static final Path JAR = Path.of(System.getProperty("tally.projector.jar",
      "target/tally-projector-0.1.0-SNAPSHOT.jar"));
  private static final int KILLS = 2;
  /** JVM start included: slow machines take a minute for it; far below the session timeout. */
  private static final Duration PROJECTS_AGAIN = Duration.ofSeconds(180);

  private final List<Process> children = new ArrayList<>();

  @AfterEach
  void stopChildren() {
    children.forEach(child -> child.toHandle().destroyForcibly());
  }

  @Test
  void killedAtRandomWhileEventsKeepComingTheReadModelEndsAsTheFoldOfTheLog() throws Exception {
    assertThat(JAR).as("the packaged projector (run by Failsafe after package)").exists();
    List<String> topics = TestInfrastructure.createTopics(3, "events", "dead-letters");
    String events = topics.get(0);
    TestInfrastructure.Database database = TestInfrastructure.newDatabase();
    String applicationId = TestInfrastructure.uniqueName("crash");
    // As the projector does on its first start; reads below go through the serving views.
    ReadModel.ensureReaderRole();
    new Generations(ReadModel.dataSource(database), ReadModel.READER_ROLE, Projection.of(dev.tally.ledger.Ledger.SLICES)).bootstrap(applicationId);
    DataSource db = ReadModel.servingDataSource(database);
    Path stateDir = Files.createDirectories(Path.of("target", "crash-it", "state")).toAbsolutePath();
    Path logs = Files.createDirectories(Path.of("target", "crash-it"));
    Random random = new Random(42);

    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicLong produced = new AtomicLong();
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      Ledger ledger = new Ledger(99, 300, Clock.systemUTC());
      try (EventLog log = EventLog.transactional(events)) {
        while (producing.get()) {
          log.append(ledger.next(40));
          produced.addAndGet(40);
          LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // pacing the load, not synchronising
        }
      }
    });

    List<String> members = null;
    for (int run = 0; run < KILLS; run++) {
      Process child = start(database, topics, applicationId, stateDir, logs.resolve("projector-" + run + ".log"));
      Map<Integer, Long> before = ReadModel.checkpoints(db, events);
      long target = applied(before) + 300 + random.nextInt(3000);
      await().atMost(PROJECTS_AGAIN).until(() -> !child.isAlive() || movedOnEverywhere(db, events, before, target));
      assertThat(child.isAlive()).as("projector run %d is alive (see %s)", run, logs).isTrue();
      List<String> now = GroupMembers.instanceIds(TestInfrastructure.kafkaBootstrapServers(), applicationId);
      assertThat(now).as("static members of the projector's group").hasSize(1).doesNotContain("none");
      if (members != null) {
        assertThat(now).as("the restarted projector is the member it was").isEqualTo(members);
      }
      members = now;
      child.toHandle().destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    }
    producing.set(false);
    writer.get(60, TimeUnit.SECONDS);

    List<ConsumerRecord<String, byte[]>> records = EventLog.readAll(events);
    assertThat(records).hasSize((int) produced.get());
    Map<Integer, Long> last = new HashMap<>();
    records.forEach(record -> last.merge(record.partition(), record.offset(), Math::max));
    Process finalRun = start(database, topics, applicationId, stateDir, logs.resolve("projector-final.log"));
    await().atMost(PROJECTS_AGAIN).until(() -> ReadModel.checkpoints(db, events).equals(last));

    ReadModel.Dump expected = Fold.of(EventLog.events(records));
    ReadModel.Dump actual = ReadModel.dump(db);
    assertThat(actual.accounts()).as("account rows").isEqualTo(expected.accounts());
    assertThat(actual.transactions()).as("history lines").hasSameSizeAs(expected.transactions())
        .isEqualTo(expected.transactions());
    assertThat(ReadModel.query(db, "SELECT count(*) FROM parked_keys")).containsExactly("0");
    assertThat(EventLog.readAll(topics.get(1))).as("dead letters").isEmpty();

    finalRun.destroy();
    assertThat(finalRun.waitFor(60, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * Whether the projector has applied {@code target} events in all and moved on every partition
   * since {@code before}: a restarted member that got only some partitions back would stall here.
   */
  private static boolean movedOnEverywhere(DataSource db, String topic, Map<Integer, Long> before, long target) {
    Map<Integer, Long> now = ReadModel.checkpoints(db, topic);
    return applied(now) >= target && now.size() == 3
        && now.entrySet().stream().allMatch(partition -> partition.getValue() > before.getOrDefault(partition.getKey(), -1L));
  }

  private static long applied(Map<Integer, Long> checkpoints) {
    return checkpoints.values().stream().mapToLong(Long::longValue).sum();
  }

  private Process start(TestInfrastructure.Database database, List<String> topics, String applicationId,
      Path stateDir, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(),
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestInfrastructure.kafkaBootstrapServers(),
        "--spring.datasource.url=" + database.jdbcUrl(),
        "--spring.datasource.username=" + database.user(),
        "--spring.datasource.password=" + database.password(),
        "--tally.topics.account.events=" + topics.get(0),
        "--tally.topics.account.dead-letters=" + topics.get(1),
        "--tally.projector.application-id=" + applicationId,
        "--tally.projector.state-dir=" + stateDir,
        // A killed member would hold its partitions until its session times out, or until a rebalance
        // gives up waiting for it: both far longer than the wait for the restarted projector, which
        // must take them back at once as the static member it was.
        "--tally.projector.streams.session.timeout.ms=600000",
        "--tally.projector.streams.max.poll.interval.ms=600000");
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    children.add(child);
    return child;
  }
}
