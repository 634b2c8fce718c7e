package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Await;
import dev.tally.testing.GroupMembers;
import dev.tally.testing.StandaloneBroker;
import dev.tally.testing.TestInfrastructure;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The packaged command API killed and restarted as a process: it serves again without waiting
 * for the killed member's session to time out, and it never decides on local state that it
 * cannot prove belongs to this cluster and these changelogs.
 */
class WriterRecoveryIT {

  /**
   * A killed member would hold its partitions until its session times out, or until a rebalance
   * gives up waiting for it: both far longer here than the wait for the restarted instance.
   */
  private static final String[] LONG_SESSION = {"--tally.command.streams.session.timeout.ms=600000",
      "--tally.command.streams.max.poll.interval.ms=600000"};
  /** JVM start included: slow machines take a minute for it. */
  private static final Duration SERVES_AGAIN = Duration.ofSeconds(180);

  private Path dir;

  @BeforeEach
  void directory(TestInfo test) throws Exception {
    // Under target/, not a temporary directory: the services' logs stay for a look after a failure.
    dir = Files.createDirectories(Path.of("target", "writer-recovery-it", test.getTestMethod().orElseThrow().getName()
        + "-" + System.currentTimeMillis()).toAbsolutePath());
  }

  /**
   * One instance decides on a state directory left by an instance of another cluster, then is
   * killed and restarted: the strange state is not trusted, the restarted instance is the member it
   * was and serves every partition without waiting for the killed member's session, and every
   * account it decided before the crash is intact.
   */
  @Test
  void aStateDirectoryLeftByAnotherClusterIsNotTrustedAndAKilledInstanceRejoinsAsTheMemberItWas() throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(3, dir.resolve("state"));
    Path state = dir.resolve("state");
    String onlyOnTheOtherCluster;
    try (StandaloneBroker other = StandaloneBroker.start(Files.createDirectory(dir.resolve("other-broker")))) {
      other.createTopics(3, topics.commands(), topics.results(), topics.events());
      try (CommandApiProcess elsewhere = CommandApiProcess.start(other.bootstrapServers(), topics, state,
          dir.resolve("elsewhere.log"))) {
        Await.until(SERVES_AGAIN, "the instance on the other cluster is healthy", elsewhere::healthy);
        onlyOnTheOtherCluster = open(elsewhere, "elsewhere");
        for (int i = 0; i < 30; i++) {
          assertThat(deposit(elsewhere, onlyOnTheOtherCluster).statusCode()).isEqualTo(200);
        }
        elsewhere.stop();
      }
    }

    String bootstrap = TestInfrastructure.kafkaBootstrapServers();
    List<String> accounts = new ArrayList<>();
    List<String> members;
    try (CommandApiProcess here = CommandApiProcess.start(bootstrap, topics, state, dir.resolve("here.log"), LONG_SESSION)) {
      Await.until(SERVES_AGAIN, "the instance is healthy", here::healthy);
      HttpResponse<String> stranger = deposit(here, onlyOnTheOtherCluster);
      assertThat(stranger.statusCode()).as("an account this cluster never saw: %s", stranger.body()).isEqualTo(404);
      // Enough accounts that every partition owns some.
      for (int i = 0; i < 12; i++) {
        String account = open(here, "here-" + i);
        assertThat(deposit(here, account).statusCode()).isEqualTo(200);
        accounts.add(account);
      }
      members = GroupMembers.instanceIds(bootstrap, topics.applicationId());
      assertThat(members).as("static members of the writer group").hasSize(1).doesNotContain("none");
      here.kill();
    }

    long restarted = System.nanoTime();
    try (CommandApiProcess again = CommandApiProcess.start(bootstrap, topics, state, dir.resolve("again.log"),
        LONG_SESSION)) {
      Await.until(SERVES_AGAIN, "the restarted instance is healthy", again::healthy);
      // Each deposit is retried on 503 for at most a minute: far below the killed member's session.
      for (String account : accounts) {
        HttpResponse<String> deposit = deposit(again, account);
        assertThat(deposit.statusCode()).as(deposit.body()).isEqualTo(200);
        assertThat(AccountCommandsTest.field(deposit.body(), "version")).as("opened, deposited, deposited").isEqualTo("3");
      }
      System.out.printf("the restarted instance served every partition %.1f s after its start%n",
          (System.nanoTime() - restarted) / 1e9);
      assertThat(GroupMembers.instanceIds(bootstrap, topics.applicationId()))
          .as("the restarted instance is the member it was").isEqualTo(members);
    }
  }

  private static String open(CommandApiProcess api, String owner) {
    HttpResponse<String> opened = confirmed(api, "/accounts", "{\"owner\": \"" + owner + "\", \"currency\": \"EUR\"}");
    assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
    return AccountCommandsTest.field(opened.body(), "accountId");
  }

  private static HttpResponse<String> deposit(CommandApiProcess api, String account) {
    return confirmed(api, "/accounts/" + account + "/deposits", "{\"amount\": 1}");
  }

  /** Sends a command with one Idempotency-Key, again as long as it is answered 503 (a slow machine may need it). */
  private static HttpResponse<String> confirmed(CommandApiProcess api, String path, String body) {
    String key = "it-" + UUID.randomUUID();
    AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
    Await.until(Duration.ofSeconds(60), "an answer to " + path, () -> {
      answer.set(api.post(path, body, "Idempotency-Key", key));
      return answer.get().statusCode() != 503;
    });
    return answer.get();
  }
}
