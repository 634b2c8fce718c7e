package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.command.account.AccountBinding;
import dev.tally.domain.account.AccountState;
import dev.tally.platform.writer.StateRebuild;
import dev.tally.platform.writer.WriterSettings;
import dev.tally.schemas.AvroCodec;
import dev.tally.testing.TestInfrastructure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
        new WriterSettings("account", topics.commands(), topics.events(), topics.results(), Duration.ZERO, Duration.ZERO),
        topics.applicationId(), Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    String rich;
    String closed;
    try (CommandApiInstance api = CommandApiInstance.start(topics, bootstrap, Map.of("instance", "first"))) {
      rich = AccountCommandsTest.open(api);
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
}
