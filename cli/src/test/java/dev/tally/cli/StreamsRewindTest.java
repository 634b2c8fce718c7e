package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Await;
import dev.tally.testing.TestInfrastructure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rewinding a real Kafka Streams application: Kafka's StreamsResetter resets inputs and internal topics. */
class StreamsRewindTest {

  @TempDir
  Path stateDir;

  @Test
  void rewindsAStoppedStreamsAppThroughKafkasStreamsResetter() throws Exception {
    String input = TestInfrastructure.createTopics(2, "streams-in").getFirst();
    Groups.produce(input, 2, 5, System.currentTimeMillis() - 10_000);
    String appId = TestInfrastructure.uniqueName("counter-app");
    String changelog = appId + "-counts-changelog";

    runUntilCaughtUpThenStop(appId, input);
    assertThat(Groups.topics()).contains(changelog);

    // Detected as a Streams app by its changelog; the dry run changes nothing.
    Cli.Result dryRun = Cli.run("rewind", "--group", appId, "--to-earliest");
    assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
    assertThat(dryRun.out()).contains("Kafka Streams application", "StreamsResetter (--dry-run)", changelog,
        "re-read 5", "cleanUp()", "nothing changed");
    assertThat(Groups.committed(appId)).isEqualTo(Groups.offsets(input, 5, 5));
    assertThat(Groups.topics()).contains(changelog);

    Cli.Result executed = Cli.run("rewind", "--group", appId, "--to-earliest", "--execute");
    assertThat(executed.exitCode()).as(executed.toString()).isZero();
    assertThat(executed.out()).contains("Done", "cleanUp()");
    assertThat(Groups.committed(appId)).isEqualTo(Groups.offsets(input, 0, 0));
    Await.until(Duration.ofSeconds(30), "the changelog topic is deleted", () -> !Groups.topics().contains(changelog));
  }

  @Test
  void aSingleWritersGroupIsNeverRewoundNotEvenInADryRun() throws Exception {
    String input = TestInfrastructure.createTopics(2, "writer-commands").getFirst();
    Groups.produce(input, 2, 5, System.currentTimeMillis() - 10_000);
    String writer = TestInfrastructure.uniqueName("ledger") + "-writer";
    String changelog = writer + "-account-state-changelog";
    Groups.commit(writer, Groups.offsets(input, 5, 5));
    try (var admin = Groups.admin()) {
      admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic(changelog, 2, (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
    }

    for (String[] args : java.util.List.of(new String[] {"--to-earliest"}, new String[] {"--to-earliest", "--execute"},
        new String[] {"--to-latest", "--streams", "--execute"})) {
      java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("rewind", "--group", writer));
      command.addAll(java.util.List.of(args));
      Cli.Result refused = Cli.run(command.toArray(String[]::new));
      assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
      assertThat(refused.err()).contains(writer, "source of truth", "rebuild-writer-state", "nothing changed");
    }
    assertThat(Groups.committed(writer)).isEqualTo(Groups.offsets(input, 5, 5));
    assertThat(Groups.topics()).contains(changelog);
  }

  private void runUntilCaughtUpThenStop(String appId, String input) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .groupByKey(Grouped.with(Serdes.String(), Serdes.ByteArray()))
        .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts")
            .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers());
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    config.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    KafkaStreams streams = new KafkaStreams(builder.build(), config);
    try {
      streams.start();
      Await.until(Duration.ofSeconds(60), "the app has committed the end of its input",
          () -> Groups.committed(appId).equals(Groups.offsets(input, 5, 5)));
    } finally {
      streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
          .withTimeout(Duration.ofSeconds(30)));
    }
    Await.until(Duration.ofSeconds(30), "the app has left its group", () -> {
      try (var admin = Groups.admin()) {
        return admin.describeConsumerGroups(java.util.List.of(appId)).describedGroups().get(appId)
            .get(10, TimeUnit.SECONDS).members().isEmpty();
      } catch (Exception e) {
        return false;
      }
    });
  }
}
