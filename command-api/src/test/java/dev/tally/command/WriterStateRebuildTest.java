package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.account.wire.AccountBinding;
import dev.tally.command.account.HookedAccountBinding;
import dev.tally.account.domain.AccountState;
import dev.tally.runtime.writer.StateRebuild;
import dev.tally.runtime.writer.WriterSettings;
import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.state.AccountSnapshot;
import dev.tally.schemas.state.AccountStatus;
import dev.tally.testing.AccountEvents;
import dev.tally.testing.Await;
import dev.tally.testing.NewerSchema;
import dev.tally.testing.TestInfrastructure;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's state is a cache of the event log: it can be compared with, and rebuilt from, the log alone. */
class WriterStateRebuildTest {

  @TempDir
  Path state;

  @Test
  void theStoredStateEqualsTheFoldOfTheLogAndIsRepairedFromItAlone() throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(2, state);
    String bootstrap = TestInfrastructure.kafkaBootstrapServers();
    StateRebuild<?, ?, ?, ?> rebuild = new StateRebuild<>(new AccountBinding(),
        new WriterSettings("account", topics.commands(), topics.events(), topics.results(), Duration.ZERO, Duration.ZERO,
            Duration.ZERO),
        topics.applicationId(), Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    String rich;
    String closed;
    try (CommandApiInstance api = CommandApiInstance.start(topics, bootstrap, Map.of("instance", "first"))) {
      rich = api.openAccount();
      api.post("/accounts/" + rich + "/deposits", "{\"amount\": 500}");
      api.post("/accounts/" + rich + "/withdrawals", "{\"amount\": 200}");
      closed = AccountCommandsTest.open(api);
      api.post("/accounts/" + closed + "/close", null);

      assertThatThrownBy(() -> rebuild.run(false)).hasMessageContaining("live member");
    }

    StateRebuild.Report consistent = rebuild.run(false);
    assertThat(consistent.aggregates()).isEqualTo(2);
    assertThat(consistent.events()).isEqualTo(5);
    assertThat(consistent.differing()).isEmpty();
    assertThat(consistent.gaps()).isEmpty();

    // Corrupt the writer's cache: a balance the log never had, and a state for an account that never existed.
    String ghost = java.util.UUID.randomUUID().toString();
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
        new StringSerializer(), new ByteArraySerializer())) {
      AccountBinding binding = new AccountBinding();
      producer.send(new ProducerRecord<>(rebuild.changelogTopic(), rich, AvroCodec.standard().encode(
          binding.snapshot(new AccountState(AccountState.Status.OPEN, "alice", "EUR", 1_000_000, 3))))).get();
      producer.send(new ProducerRecord<>(rebuild.changelogTopic(), ghost, AvroCodec.standard().encode(
          binding.snapshot(new AccountState(AccountState.Status.OPEN, "nobody", "EUR", 5, 1))))).get();
    }
    long changelogEnd = EventLog.endOffset(rebuild.changelogTopic());
    StateRebuild.Report dryRun = rebuild.run(false);
    assertThat(dryRun.differing()).containsExactlyInAnyOrder(rich, ghost);
    assertThat(dryRun.written()).isZero();
    assertThat(EventLog.endOffset(rebuild.changelogTopic())).isEqualTo(changelogEnd);

    assertThat(rebuild.run(true).written()).isEqualTo(2);
    assertThat(rebuild.run(false).differing()).isEmpty();

    // A writer started from nothing but Kafka decides against the repaired state.
    try (CommandApiInstance api = CommandApiInstance.start(topics, bootstrap, Map.of("instance", "second"))) {
      assertThat(api.post("/accounts/" + rich + "/withdrawals", "{\"amount\": 301}").statusCode()).isEqualTo(409);
      assertThat(api.post("/accounts/" + rich + "/withdrawals", "{\"amount\": 300}").statusCode()).isEqualTo(200);
      assertThat(api.post("/accounts/" + closed + "/deposits", "{\"amount\": 1}").statusCode()).isEqualTo(409);
    }
  }

  @Test
  void refusesToRebuildFromAMissingOrEmptyEventsTopicWhileTheWriterHasState() throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(1, state);
    String bootstrap = TestInfrastructure.kafkaBootstrapServers();
    try (CommandApiInstance api = CommandApiInstance.start(topics, bootstrap, Map.of("instance", "first"))) {
      api.openAccount();
    }
    String changelog = rebuild(topics, topics.events()).changelogTopic();
    List<ConsumerRecord<String, byte[]>> before = EventLog.committedRecords(changelog);

    String missing = TestInfrastructure.uniqueName("no-such-events");
    assertThatThrownBy(() -> rebuild(topics, missing).run(true)).hasMessageContaining(missing);
    String empty = TestInfrastructure.createTopics(1, "empty-events").getFirst();
    assertThatThrownBy(() -> rebuild(topics, empty).run(true)).hasMessageContaining(empty).hasMessageContaining("empty");

    assertThat(EventLog.committedRecords(changelog)).extracting(ConsumerRecord::value)
        .containsExactlyElementsOf(before.stream().map(ConsumerRecord::value).toList());
    assertThat(rebuild(topics, topics.events()).run(false).differing()).isEmpty();
  }

  @Test
  void aWriteTheBrokerRefusesFailsTheRebuildAndWritesNothing() throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(1, state);
    String bootstrap = TestInfrastructure.kafkaBootstrapServers();
    String account;
    try (CommandApiInstance api = CommandApiInstance.start(topics, bootstrap, Map.of("instance", "first"))) {
      HttpResponse<String> opened = api.post("/accounts",
          "{\"owner\": \"" + "o".repeat(150) + "\", \"currency\": \"EUR\"}");
      assertThat(opened.statusCode()).isEqualTo(201);
      account = AccountCommandsTest.field(opened.body(), "accountId");
    }
    StateRebuild<?, ?, ?, ?> rebuild = rebuild(topics, topics.events());
    byte[] wrong = corrupt(rebuild.changelogTopic(), account);
    // The corrected snapshot (a 150-character owner) no longer fits in a record of the changelog.
    try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, rebuild.changelogTopic()),
          List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "150"),
              AlterConfigOp.OpType.SET)))).all().get();
    }

    assertThatThrownBy(() -> rebuild.run(true)).hasMessageContaining("nothing was written");
    assertThat(EventLog.committedRecords(rebuild.changelogTopic()).getLast().value()).isEqualTo(wrong);
  }

  @Test
  void refusesToWriteWhenAWriterJoinedWhileItWasReadingTheLog() throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(1, state);
    String bootstrap = TestInfrastructure.kafkaBootstrapServers();
    String account;
    try (CommandApiInstance api = CommandApiInstance.start(topics, bootstrap, Map.of("instance", "first"))) {
      account = api.openAccount();
    }
    String changelog = rebuild(topics, topics.events()).changelogTopic();
    byte[] wrong = corrupt(changelog, account);

    List<CommandApiInstance> joined = new ArrayList<>();
    // A command API instance starts while the rebuild folds the first event.
    StateRebuild<?, ?, ?, ?> racing = new StateRebuild<>(new HookedAccountBinding(command -> { }, event -> {
      if (joined.isEmpty()) {
        CommandApiInstance api = CommandApiInstance.start(topics, bootstrap, Map.of("instance", "second"));
        joined.add(api);
        Await.until(Duration.ofSeconds(60), "the writer is a member of its group",
            () -> api.get("/actuator/health").statusCode() == 200);
      }
    }), settings(topics, topics.events()), topics.applicationId(), Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap));
    try {
      assertThatThrownBy(() -> racing.run(true)).hasMessageContaining("live member");
      assertThat(EventLog.committedRecords(changelog).getLast().value()).isEqualTo(wrong);
    } finally {
      joined.forEach(CommandApiInstance::close);
    }
  }

  @Test
  void refusesTopicsWhosePartitionCountsDifferAndStatesWrittenByANewerVersion() throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(1, state);
    String account = UUID.randomUUID().toString();
    WriterPoisonTest.send(topics.events(), account, AvroCodec.standard().encode(
        AccountEvents.opened(account, "alice", "EUR", Instant.now())));
    StateRebuild<?, ?, ?, ?> rebuild = rebuild(topics, topics.events());
    try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        TestInfrastructure.kafkaBootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(rebuild.changelogTopic(), 1, (short) 1))).all().get();
      WriterPoisonTest.send(rebuild.changelogTopic(), account,
          NewerSchema.encode(new AccountSnapshot(AccountStatus.OPEN, "alice", "EUR", 0L, List.of(), 1L)));
      assertThatThrownBy(() -> rebuild.run(true)).hasMessageContaining("written by a newer version");

      admin.createPartitions(Map.of(topics.events(), NewPartitions.increaseTo(2))).all().get();
      assertThatThrownBy(() -> rebuild.run(true)).hasMessageContaining("different partition counts");
    }
  }

  private static StateRebuild<?, ?, ?, ?> rebuild(CommandApiTopics topics, String events) {
    return new StateRebuild<>(new AccountBinding(), settings(topics, events), topics.applicationId(),
        Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers()));
  }

  private static WriterSettings settings(CommandApiTopics topics, String events) {
    return new WriterSettings("account", topics.commands(), events, topics.results(), Duration.ZERO, Duration.ZERO,
        Duration.ZERO);
  }

  /** Writes a snapshot the log never had for the account (balance 7 at version 1); returns its bytes. */
  private static byte[] corrupt(String changelog, String account) throws Exception {
    byte[] wrong = AvroCodec.standard().encode(new AccountBinding().snapshot(
        new AccountState(AccountState.Status.OPEN, "x", "EUR", 7, 1)));
    WriterPoisonTest.send(changelog, account, wrong);
    return wrong;
  }
}
