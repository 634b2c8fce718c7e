package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.DepositMoney;
import dev.tally.schemas.state.AccountSnapshot;
import dev.tally.schemas.state.AccountStatus;
import dev.tally.testing.Await;
import dev.tally.testing.NewerSchema;
import dev.tally.testing.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the writer does with records it cannot read: a state or a command written by a newer
 * version stops it (health says why) instead of being skipped or looped on; a command nobody can
 * read is skipped, and that is counted and shown.
 */
class WriterPoisonTest {

  @TempDir
  Path state;

  static Stream<Arguments> unreadableStates() {
    return Stream.of(
        Arguments.of("written by a newer version",
            NewerSchema.encode(new AccountSnapshot(AccountStatus.OPEN, "alice", "EUR", 0L, List.of(), 1L)), "newer version"),
        Arguments.of("corrupt", "garbage".getBytes(StandardCharsets.UTF_8), "rebuild-writer-state"));
  }

  @ParameterizedTest(name = "a state {0}")
  @MethodSource("unreadableStates")
  void aStateTheWriterCannotReadStopsItAndHealthSaysWhy(String kind, byte[] state, String remedy) throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(1, this.state);
    String account = openAccount(topics);
    send(topics.applicationId() + "-account-state-changelog", account, state);

    try (CommandApiInstance api = start(topics, "second")) {
      assertThat(api.post("/accounts/" + account + "/deposits", "{\"amount\": 5}").statusCode()).isEqualTo(503);
      awaitDownSaying(api, "cannot decode the state of " + account, remedy);
      assertThat(EventLog.of(topics.events(), account)).hasSize(1);
    }
  }

  @Test
  void aCommandWrittenByANewerVersionStopsTheWriterAndIsNotSkipped() throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(1, state);
    try (CommandApiInstance api = start(topics, "a")) {
      String account = api.openAccount();
      RecordMetadata poison = send(topics.commands(), account, NewerSchema.encode(new DepositMoney(
          metadata(account), 5L, "from a newer version")));

      awaitDownSaying(api, "unknown schema fingerprint", "newer version", "\"restarts\":");
      assertThat(EventLog.of(topics.events(), account)).hasSize(1);
      // Not consumed: the record waits for a writer that can read it.
      TopicPartition partition = new TopicPartition(topics.commands(), poison.partition());
      OffsetAndMetadata committed = committed(topics.applicationId(), partition);
      assertThat(committed == null ? 0 : committed.offset()).isLessThanOrEqualTo(poison.offset());
    }
  }

  @Test
  void aCommandNobodyCanReadIsSkippedCountedAndShown() throws Exception {
    CommandApiTopics topics = CommandApiTopics.create(1, state);
    try (CommandApiInstance api = start(topics, "a")) {
      String account = api.openAccount();
      RecordMetadata garbage = send(topics.commands(), account, "garbage".getBytes(StandardCharsets.UTF_8));

      Await.until(Duration.ofSeconds(30), "the skipped command is counted", () -> api.get("/actuator/prometheus").body()
          .contains("tally_writer_skipped_commands_total{aggregate=\"account\"} 1.0"));
      String health = api.get("/actuator/health").body();
      assertThat(health).contains("\"status\":\"UP\"", "\"skippedCommands\":1",
          topics.commands() + "-" + garbage.partition() + "@" + garbage.offset());
      assertThat(api.post("/accounts/" + account + "/deposits", "{\"amount\": 5}").statusCode()).isEqualTo(200);
    }
  }

  private String openAccount(CommandApiTopics topics) {
    try (CommandApiInstance api = start(topics, "first")) {
      return api.openAccount();
    }
  }

  private static CommandApiInstance start(CommandApiTopics topics, String instance) {
    return CommandApiInstance.start(topics, TestInfrastructure.kafkaBootstrapServers(), Map.of("instance", instance));
  }

  private static void awaitDownSaying(CommandApiInstance api, String... words) {
    Await.until(Duration.ofSeconds(60), "health is DOWN saying " + List.of(words), () -> {
      var health = api.get("/actuator/health");
      return health.statusCode() == 503 && List.of(words).stream().allMatch(health.body()::contains);
    });
  }

  private static CommandMetadata metadata(String account) {
    return new CommandMetadata(UUID.randomUUID().toString(), account, null, null, "hash", "corr",
        Instant.now().truncatedTo(ChronoUnit.MICROS));
  }

  static RecordMetadata send(String topic, String key, byte[] value) throws Exception {
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        TestInfrastructure.kafkaBootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
      return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }
  }

  private static OffsetAndMetadata committed(String group, TopicPartition partition) throws Exception {
    try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        TestInfrastructure.kafkaBootstrapServers()))) {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
          .get(partition);
    }
  }
}
