package dev.tally.cli;

import dev.tally.runtime.projection.Projection;
import dev.tally.ledger.Ledger;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import dev.tally.testing.Await;
import dev.tally.testing.TestInfrastructure;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class StatusCommandTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void showsCommittedEndAndLagInRecordsAndTimePerPartition() {
    String topic = TestInfrastructure.createTopics(2, "status").getFirst();
    long first = System.currentTimeMillis() - 60_000;
    Groups.produce(topic, 2, 10, first);
    String group = TestInfrastructure.uniqueName("status-group");
    Groups.commit(group, Groups.offsets(topic, 3, 10));

    Cli.Result result = Cli.run("status", "--json", "--topic", topic);

    assertThat(result.exitCode()).as(result.toString()).isZero();
    JsonNode status = group(result, group);
    assertThat(status.get("live").asBoolean()).isFalse();
    assertThat(status.get("members").asInt()).isZero();
    assertThat(status.get("lag").asLong()).isEqualTo(7);
    JsonNode p0 = status.get("partitions").get(0);
    assertThat(p0.get("partition").asInt()).isZero();
    assertThat(p0.get("committed").asLong()).isEqualTo(3);
    assertThat(p0.get("end").asLong()).isEqualTo(10);
    assertThat(p0.get("lag").asLong()).isEqualTo(7);
    // The oldest unconsumed record (offset 3) was stamped first + 3 s, so it is at least 57 s old.
    assertThat(p0.get("lagMillis").asLong()).isGreaterThanOrEqualTo(System.currentTimeMillis() - (first + 3_000) - 5_000)
        .isGreaterThan(50_000);
    JsonNode p1 = status.get("partitions").get(1);
    assertThat(p1.get("committed").asLong()).isEqualTo(10);
    assertThat(p1.get("lag").asLong()).isZero();
    assertThat(p1.get("lagMillis").asLong()).isZero();

    Cli.Result table = Cli.run("status", "--topic", topic);
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out()).contains("GROUP", "COMMITTED", "LAG-TIME");
    assertThat(table.out().lines().filter(line -> line.startsWith(group + " ")).toList())
        .hasSize(2)
        .anySatisfy(line -> assertThat(line.split("\\s+")).contains(topic, "0", "3", "10", "7", "no"));
  }

  @Test
  void showsWhetherTheGroupHasLiveMembers() {
    String topic = TestInfrastructure.createTopics(1, "status-live").getFirst();
    Groups.produce(topic, 1, 2, System.currentTimeMillis());
    String group = TestInfrastructure.uniqueName("status-live-group");
    try (var consumer = Groups.consumer(group)) {
      consumer.subscribe(List.of(topic));
      Await.until(Duration.ofSeconds(30), "the consumer has its partition", () -> {
        consumer.poll(Duration.ofMillis(100));
        return !consumer.assignment().isEmpty();
      });
      consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(1)));

      JsonNode live = group(Cli.run("status", "--json", "--topic", topic), group);
      assertThat(live.get("live").asBoolean()).isTrue();
      assertThat(live.get("members").asInt()).isEqualTo(1);
      assertThat(live.get("partitions").get(0).get("lag").asLong()).isEqualTo(1);
    }
    Await.until(Duration.ofSeconds(30), "the closed consumer has left the group",
        () -> !group(Cli.run("status", "--json", "--topic", topic), group).get("live").asBoolean());
  }

  @Test
  void showsTheKeysTheReadModelHoldsBackByKind() throws Exception {
    String topic = TestInfrastructure.createTopics(1, "status-parked").getFirst();
    TestInfrastructure.ensureRole("tally_reader");
    TestInfrastructure.Database database = TestInfrastructure.newDatabase();
    Generation live = new Generations(database.dataSource(), "tally_reader", Projection.of(Ledger.SLICES)).bootstrap("status-projector");
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO " + live.schema() + ".parked_keys"
          + " (projection, topic, record_key, partition, parked_offset, reason, parked_at) VALUES"
          + " ('accounts', '" + topic + "', 'k1', 0, 5, 'gap: expected version 3, found 5', now()),"
          + " ('accounts', '" + topic + "', 'k2', 0, 9, 'gap: expected version 2, found 4', now()),"
          + " ('accounts', '" + topic + "', 'k3', 0, 11, 'undecodable: not an Avro record', now())");
    }
    String[] databaseOptions = {"--database-url", database.jdbcUrl(), "--database-user", database.user(),
        "--database-password", database.password()};

    Cli.Result table = Cli.run(concat(new String[] {"status", "--topic", topic}, databaseOptions));
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out()).contains("generation 1 (tally_read_g1, LIVE): 3 parked key(s): 2 gap, 1 undecodable");

    Cli.Result json = Cli.run(concat(new String[] {"status", "--json", "--topic", topic}, databaseOptions));
    assertThat(json.exitCode()).as(json.toString()).isZero();
    JsonNode generation = JSON.readTree(json.out()).get("readModel").get("generations").get(0);
    assertThat(generation.get("generation").asInt()).isEqualTo(1);
    assertThat(generation.get("parked").get("gap").asInt()).isEqualTo(2);
    assertThat(generation.get("parked").get("undecodable").asInt()).isEqualTo(1);
  }

  private static String[] concat(String[] first, String[] second) {
    String[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

  @Test
  void failsWithOneLineWhenNoBrokerAnswers() {
    long started = System.nanoTime();
    Cli.Result result = Cli.runRaw("status", "--bootstrap-servers", "127.0.0.1:1");
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().strip().lines()).hasSize(1);
    assertThat(result.err()).contains("cannot reach Kafka at 127.0.0.1:1");
    assertThat(took).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void usageErrorsExitWith2() {
    assertThat(Cli.runRaw("status", "--no-such-option").exitCode()).isEqualTo(2);
    assertThat(Cli.runRaw("no-such-command").exitCode()).isEqualTo(2);
    assertThat(Cli.runRaw().exitCode()).isEqualTo(2);
    Cli.Result help = Cli.runRaw("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("status", "rewind", "history", "Exit codes");
  }

  static JsonNode group(Cli.Result result, String group) {
    assertThat(result.exitCode()).as(result.toString()).isZero();
    for (JsonNode node : JSON.readTree(result.out()).get("groups")) {
      if (node.get("group").asString().equals(group)) {
        return node;
      }
    }
    throw new AssertionError("group " + group + " not in status:\n" + result);
  }
}
