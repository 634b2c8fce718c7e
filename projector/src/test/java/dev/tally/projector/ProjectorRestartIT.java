package dev.tally.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.readmodel.Generations;
import dev.tally.testing.GroupMembers;
import dev.tally.testing.Http;
import dev.tally.testing.TestInfrastructure;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged projector killed (SIGKILL) and restarted at once rejoins its group as the member it
 * was and projects again without waiting for the killed member's session to time out: its session
 * timeout here is far longer than the wait.
 */
class ProjectorRestartIT {

  private static final Path JAR = Path.of(System.getProperty("tally.projector.jar",
      "target/tally-projector-0.1.0-SNAPSHOT.jar"));

  private final List<Process> children = new ArrayList<>();

  @TempDir
  Path dir;

  @AfterEach
  void stopChildren() {
    children.forEach(child -> child.toHandle().destroyForcibly());
  }

  @Test
  void aKilledProjectorProjectsAgainAtOnceWhenItIsRestarted() throws Exception {
    assertThat(JAR).as("the packaged projector (run by Failsafe after package)").exists();
    List<String> topics = TestInfrastructure.createTopics(3, "events", "dead-letters");
    TestInfrastructure.Database database = TestInfrastructure.newDatabase();
    String applicationId = TestInfrastructure.uniqueName("restart");
    ReadModel.ensureReaderRole();
    new Generations(ReadModel.dataSource(database), ReadModel.READER_ROLE).bootstrap(applicationId);
    DataSource db = ReadModel.servingDataSource(database);
    Path state = Files.createDirectories(dir.resolve("state"));
    Ledger ledger = new Ledger(7, 30, Clock.systemUTC());

    int port = freePort();
    Process first = start(database, topics, applicationId, state, port, dir.resolve("first.log"));
    try (EventLog log = EventLog.transactional(topics.get(0))) {
      log.append(ledger.next(200));
    }
    await().atMost(Duration.ofSeconds(180)).until(() -> caughtUp(db, topics.get(0)));
    List<String> members = GroupMembers.instanceIds(TestInfrastructure.kafkaBootstrapServers(), applicationId);
    assertThat(members).as("static members of the projector's group").hasSize(1).doesNotContain("none");
    first.toHandle().destroyForcibly();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

    start(database, topics, applicationId, state, port, dir.resolve("second.log"));
    try (EventLog log = EventLog.transactional(topics.get(0))) {
      log.append(ledger.next(200));
    }
    // Every partition moves on: the restarted member got all of them back without a session timeout
    // (JVM start included: slow machines take a minute for it).
    await().atMost(Duration.ofSeconds(180)).until(() -> caughtUp(db, topics.get(0))
        && Http.get("http://127.0.0.1:" + port + "/actuator/health").statusCode() == 200);
    assertThat(GroupMembers.instanceIds(TestInfrastructure.kafkaBootstrapServers(), applicationId))
        .as("the restarted projector is the member it was").isEqualTo(members);
  }


  /** Whether the read model's checkpoint is at the last record of every partition. */
  private static boolean caughtUp(DataSource db, String topic) {
    Map<Integer, Long> last = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : EventLog.readAll(topic)) {
      last.merge(record.partition(), record.offset(), Math::max);
    }
    return last.size() == 3 && ReadModel.checkpoints(db, topic).equals(last);
  }

  private Process start(TestInfrastructure.Database database, List<String> topics, String applicationId, Path state,
      int port, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(),
        "--server.port=" + port,
        "--spring.kafka.bootstrap-servers=" + TestInfrastructure.kafkaBootstrapServers(),
        "--spring.datasource.url=" + database.jdbcUrl(),
        "--spring.datasource.username=" + database.user(),
        "--spring.datasource.password=" + database.password(),
        "--tally.topics.account.events=" + topics.get(0),
        "--tally.topics.account.dead-letters=" + topics.get(1),
        "--tally.projector.application-id=" + applicationId,
        "--tally.projector.state-dir=" + state,
        // A killed member would hold its partitions until its session times out, or until a rebalance
        // gives up waiting for it: both far longer than the wait for the restarted projector.
        "--tally.projector.streams.session.timeout.ms=600000",
        "--tally.projector.streams.max.poll.interval.ms=600000"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    children.add(child);
    return child;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
