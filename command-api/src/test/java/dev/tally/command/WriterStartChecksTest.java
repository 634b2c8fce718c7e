package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.account.wire.AccountBinding;
import dev.tally.runtime.writer.StateRebuild;
import dev.tally.runtime.writer.WriterSettings;
import dev.tally.runtime.writer.WriterStartCheck;
import dev.tally.testing.AccountEvents;
import dev.tally.testing.Await;
import dev.tally.testing.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer decides nothing until it has shown that its state and its topics still fit the event log. */
class WriterStartChecksTest {

  @TempDir
  Path state;

  @Test
  void refusesToDecideWithoutStateWhileTheLogHoldsEventsUntilTheStateIsRebuiltFromTheLog() throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(2, state);
    String account = UUID.randomUUID().toString();
    // Events in the log, and no state at all: what a reset of the writer's group leaves behind.
    Instant at = Instant.now();
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        TestInfrastructure.kafkaBootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(AccountEvents.record(topics.events(), AccountEvents.opened(account, "alice", "EUR", at))).get();
      producer.send(AccountEvents.record(topics.events(), AccountEvents.deposited(account, 2, 100, 100, at))).get();
    }

    try (CommandApiInstance api = CommandApiInstance.launch(topics, TestInfrastructure.kafkaBootstrapServers(),
        Map.of("tally.command.reply-timeout", "2s"))) {
      Await.until(Duration.ofSeconds(60), "health says why the writer refuses", () -> {
        var health = api.get("/actuator/health");
        return health.statusCode() == 503 && health.body().contains("rebuild-writer-state");
      });
      var waiting = api.post("/accounts/" + account + "/deposits", "{\"amount\": 5}");
      assertThat(waiting.statusCode()).isEqualTo(503);
      assertThat(waiting.body()).contains("\"outcome\":\"unknown\"");
      assertThat(EventLog.of(topics.events(), account)).hasSize(2);

      StateRebuild.Report rebuilt = new StateRebuild<>(new AccountBinding(), settings(topics), topics.applicationId(),
          Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers())).run(true);
      assertThat(rebuilt.written()).isEqualTo(1);

      Await.until(Duration.ofSeconds(60), "the writer starts once its state is back",
          () -> api.get("/actuator/health").statusCode() == 200);
      var deposit = api.post("/accounts/" + account + "/deposits", "{\"amount\": 5}");
      assertThat(deposit.statusCode()).as(deposit.body()).isEqualTo(200);
      assertThat(AccountCommandsTest.field(deposit.body(), "version")).isEqualTo("3");
    }
  }

  @Test
  void refusesToDecideOnceThePartitionCountHasChanged() throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(2, state);
    try (CommandApiInstance api = CommandApiInstance.start(topics, TestInfrastructure.kafkaBootstrapServers(),
        Map.of("instance", "first"))) {
      api.openAccount();
    }
    try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        TestInfrastructure.kafkaBootstrapServers()))) {
      admin.createPartitions(Map.of(topics.commands(), NewPartitions.increaseTo(3),
          topics.events(), NewPartitions.increaseTo(3))).all().get(30, TimeUnit.SECONDS);
    }
    try (CommandApiInstance api = CommandApiInstance.launch(topics, TestInfrastructure.kafkaBootstrapServers(),
        Map.of("instance", "second", "tally.command.reply-timeout", "2s"))) {
      Await.until(Duration.ofSeconds(60), "health says the partition count changed", () -> {
        var health = api.get("/actuator/health");
        return health.statusCode() == 503 && health.body().contains("3 partitions")
            && health.body().contains(topics.applicationId() + "-account-state-changelog has 2");
      });
      assertThat(api.post("/accounts", "{\"owner\": \"bob\", \"currency\": \"EUR\"}").statusCode()).isEqualTo(503);
    }
  }

  @Test
  void refusesStateWithoutItsEventsAndTopicsThatAreMissing() throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(1, state);
    String changelog = topics.applicationId() + "-account-state-changelog";
    try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        TestInfrastructure.kafkaBootstrapServers()))) {
      WriterStartCheck check = new WriterStartCheck(settings(topics), topics.applicationId(), KAFKA);
      assertThat(check.refusal(admin)).isEmpty();

      admin.createTopics(List.of(new NewTopic(changelog, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      String ghost = UUID.randomUUID().toString();
      WriterPoisonTest.send(changelog, ghost, "a state".getBytes(StandardCharsets.UTF_8));
      assertThat(check.refusal(admin)).hasValueSatisfying(why -> assertThat(why)
          .contains("holds aggregates on partitions [0]", topics.events() + " has no events there"));

      // rebuild-writer-state deletes a state the log never had: a deleted state is no state.
      WriterPoisonTest.send(changelog, ghost, null);
      assertThat(check.refusal(admin)).isEmpty();

      String missing = TestInfrastructure.uniqueName("no-such-commands");
      WriterSettings elsewhere = new WriterSettings("account", missing, topics.events(), topics.results(),
          Duration.ZERO, Duration.ZERO, Duration.ZERO);
      assertThat(new WriterStartCheck(elsewhere, topics.applicationId(), KAFKA).refusal(admin))
          .hasValueSatisfying(why -> assertThat(why).contains(missing + " does not exist"));
    }
  }

  private static final Map<String, Object> KAFKA = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
      TestInfrastructure.kafkaBootstrapServers());

  private static WriterSettings settings(CommandApiTopics topics) {
    return new WriterSettings("account", topics.commands(), topics.events(), topics.results(), Duration.ZERO,
        Duration.ZERO, Duration.ZERO);
  }
}
