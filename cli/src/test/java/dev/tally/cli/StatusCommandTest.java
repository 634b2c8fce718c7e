package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Await;
import dev.tally.testing.TestInfrastructure;
import java.time.Duration;
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
