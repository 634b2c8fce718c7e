package dev.tally.cli;

import static dev.tally.testing.AccountEvents.closed;
import static dev.tally.testing.AccountEvents.deposited;
import static dev.tally.testing.AccountEvents.opened;
import static dev.tally.testing.AccountEvents.record;
import static dev.tally.testing.AccountEvents.withdrawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.TestInfrastructure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class HistoryCommandTest {

  private static final int PARTITIONS = 3;
  private static String topic;
  private static String alice;
  private static String bob;

  @BeforeAll
  static void twoAccountsOnOnePartition() {
    topic = TestInfrastructure.createTopics(PARTITIONS, "history").getFirst();
    alice = UUID.randomUUID().toString();
    // bob shares alice's partition, so history must filter by key, not just pick the partition.
    do {
      bob = UUID.randomUUID().toString();
    } while (HistoryCommand.partitionOf(bob, PARTITIONS) != HistoryCommand.partitionOf(alice, PARTITIONS));
    try (var producer = Groups.producer()) {
      Instant now = Instant.now();
      for (SpecificRecord event : List.of(
          opened(alice, "alice", "EUR", now), opened(bob, "bob", "EUR", now),
          deposited(alice, 2, 100, 100, now), deposited(bob, 2, 7, 7, now),
          withdrawn(alice, 3, 30, 70, now), closed(alice, 4, now))) {
        producer.send(record(topic, event));
      }
      producer.flush();
    }
  }

  @Test
  void printsOneAccountsEventsInOrder() {
    Cli.Result result = Cli.run("history", alice, "--topic", topic);

    assertThat(result.exitCode()).as(result.toString()).isZero();
    List<String> rows = result.out().lines().filter(line -> line.matches("^\\d+\\s+account\\..*")).toList();
    assertThat(rows).hasSize(4);
    assertThat(rows.get(0)).startsWith("1").contains("account.opened", "owner=alice", "currency=EUR");
    assertThat(rows.get(1)).startsWith("2").contains("account.deposited", "amount=100", "balanceAfter=100");
    assertThat(rows.get(2)).startsWith("3").contains("account.withdrawn", "amount=30", "balanceAfter=70");
    assertThat(rows.get(3)).startsWith("4").contains("account.closed");
    assertThat(result.out()).doesNotContain("owner=bob", "amount=7 ");
  }

  @Test
  void printsValidJson() {
    Cli.Result result = Cli.run("history", bob, "--topic", topic, "--json");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    JsonNode history = JsonMapper.builder().build().readTree(result.out());
    assertThat(history.get("aggregateId").asString()).isEqualTo(bob);
    assertThat(history.get("aggregateType").asString()).isEqualTo("account");
    assertThat(history.get("partition").asInt()).isEqualTo(HistoryCommand.partitionOf(bob, PARTITIONS));
    List<JsonNode> events = new ArrayList<>();
    history.get("events").forEach(events::add);
    assertThat(events).extracting(e -> e.get("version").asLong()).containsExactly(1L, 2L);
    assertThat(events).extracting(e -> e.get("type").asString()).containsExactly("account.opened", "account.deposited");
    assertThat(events.get(1).get("payload").get("amount").asLong()).isEqualTo(7);
    assertThat(events.get(0).get("payload").get("owner").asString()).isEqualTo("bob");
    assertThat(events.get(0).get("payload").has("metadata")).isFalse();
  }

  @Test
  void refusesUnknownAccountsAndIdsThatAreNotUuids() {
    Cli.Result unknown = Cli.run("history", UUID.randomUUID().toString(), "--topic", topic);
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(1);
    assertThat(unknown.err()).contains("no events for account");
    assertThat(unknown.err().strip().lines()).hasSize(1);

    Cli.Result garbage = Cli.run("history", "not-an-id", "--topic", topic);
    assertThat(garbage.exitCode()).as(garbage.toString()).isEqualTo(2);
    assertThat(garbage.err()).contains("not an aggregate id");

    Cli.Result noTopic = Cli.run("history", alice, "--topic", TestInfrastructure.uniqueName("missing"));
    assertThat(noTopic.exitCode()).as(noTopic.toString()).isEqualTo(1);
    assertThat(noTopic.err()).contains("no topic");
  }
}
