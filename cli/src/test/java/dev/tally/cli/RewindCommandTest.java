package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.testing.Await;
import dev.tally.testing.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RewindCommandTest {

  /** Record i of each partition is stamped FIRST + i seconds; 10 records per partition. */
  private static final long FIRST =
      Instant.now().minus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toEpochMilli();

  private String topic;
  private String group;

  @BeforeEach
  void groupPartWayThroughATopic() {
    topic = TestInfrastructure.createTopics(2, "rewind").getFirst();
    Groups.produce(topic, 2, 10, FIRST);
    group = TestInfrastructure.uniqueName("rewind-group");
    Groups.commit(group, Groups.offsets(topic, 8, 6));
  }

  @Test
  void dryRunPrintsThePlanAndChangesNothing() {
    Cli.Result result = Cli.run("rewind", "--group", group, "--to-earliest");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("Dry run", "re-read 8", "re-read 6", "Total: re-read 14 record(s)",
        "nothing changed");
    assertThat(Groups.committed(group)).isEqualTo(Groups.offsets(topic, 8, 6));
  }

  @Test
  void executeToEarliestMovesEveryPartitionToItsStart() {
    Cli.Result result = Cli.run("rewind", "--group", group, "--to-earliest", "--execute");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("Done");
    assertThat(Groups.committed(group)).isEqualTo(Groups.offsets(topic, 0, 0));
  }

  @Test
  void executeToOffsetAndToLatest() {
    Cli.Result toOffset = Cli.run("rewind", "--group", group, "--to-offset", "4", "--execute", "--topic", topic);
    assertThat(toOffset.exitCode()).as(toOffset.toString()).isZero();
    assertThat(Groups.committed(group)).isEqualTo(Groups.offsets(topic, 4, 4));

    Cli.Result toLatest = Cli.run("rewind", "--group", group, "--to-latest", "--execute");
    assertThat(toLatest.exitCode()).as(toLatest.toString()).isZero();
    assertThat(toLatest.out()).contains("skip 6");
    assertThat(Groups.committed(group)).isEqualTo(Groups.offsets(topic, 10, 10));
  }

  @Test
  void executeToDatetimeUsesRecordTimestamps() {
    // 5.5 s after the first record: the first record at or after it is offset 6 (stamped FIRST + 6 s).
    String at = Instant.ofEpochMilli(FIRST + 5_500).toString();
    Cli.Result result = Cli.run("rewind", "--group", group, "--to-datetime", at, "--execute");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(Groups.committed(group)).isEqualTo(Groups.offsets(topic, 6, 6));

    // Exactly a record's timestamp: that record is the target. Offsets without a zone are UTC.
    String noZone = java.time.LocalDateTime.ofInstant(Instant.ofEpochMilli(FIRST + 2_000), java.time.ZoneOffset.UTC).toString();
    Cli.Result exact = Cli.run("rewind", "--group", group, "--to-datetime", noZone, "--execute");
    assertThat(exact.exitCode()).as(exact.toString()).isZero();
    assertThat(Groups.committed(group)).isEqualTo(Groups.offsets(topic, 2, 2));

    // Every record is older than a day ago: nothing at or after it, so the target is the end.
    Cli.Result byDuration = Cli.run("rewind", "--group", group, "--by-duration", "PT1H", "--execute");
    assertThat(byDuration.exitCode()).as(byDuration.toString()).isZero();
    assertThat(Groups.committed(group)).isEqualTo(Groups.offsets(topic, 10, 10));
  }

  @Test
  void refusesWhileTheGroupHasLiveMembers() {
    try (var consumer = Groups.consumer(group)) {
      consumer.subscribe(List.of(topic));
      Await.until(Duration.ofSeconds(30), "the consumer has its partitions", () -> {
        consumer.poll(Duration.ofMillis(100));
        return consumer.assignment().size() == 2;
      });
      Map<TopicPartition, Long> before = Groups.committed(group);

      Cli.Result result = Cli.run("rewind", "--group", group, "--to-earliest", "--execute");

      assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
      assertThat(result.err()).contains("1 live member", "nothing changed");
      assertThat(result.err().strip().lines()).hasSize(1);
      assertThat(Groups.committed(group)).isEqualTo(before);

      // The race the check leaves open is closed by the broker: it rejects an Admin offset change
      // while the group has members (ADR 11 relies on this).
      try (var admin = Groups.admin()) {
        var change = admin.alterConsumerGroupOffsets(group,
            Map.of(new TopicPartition(topic, 0), new org.apache.kafka.clients.consumer.OffsetAndMetadata(0)));
        assertThatThrownBy(() -> change.all().get(30, java.util.concurrent.TimeUnit.SECONDS))
            .isInstanceOf(java.util.concurrent.ExecutionException.class);
      }
      assertThat(Groups.committed(group)).isEqualTo(before);
    }
  }

  @Test
  void refusesUnknownGroupsTargetsOutsideTheLogAndFutureOrMalformedTimes() {
    Cli.Result unknown = Cli.run("rewind", "--group", TestInfrastructure.uniqueName("nobody"), "--to-earliest");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(1);
    assertThat(unknown.err()).contains("no consumer group");

    Cli.Result beyond = Cli.run("rewind", "--group", group, "--to-offset", "11", "--execute");
    assertThat(beyond.exitCode()).as(beyond.toString()).isEqualTo(1);
    assertThat(beyond.err()).contains("outside the log", "nothing changed");

    Cli.Result future = Cli.run("rewind", "--group", group, "--to-datetime",
        Instant.now().plus(Duration.ofHours(1)).toString(), "--execute");
    assertThat(future.exitCode()).as(future.toString()).isEqualTo(1);
    assertThat(future.err()).contains("in the future");

    Cli.Result malformed = Cli.run("rewind", "--group", group, "--to-datetime", "yesterday", "--execute");
    assertThat(malformed.exitCode()).as(malformed.toString()).isEqualTo(1);
    assertThat(malformed.err()).contains("not an ISO-8601 date-time");

    Cli.Result badDuration = Cli.run("rewind", "--group", group, "--by-duration", "1 hour", "--execute");
    assertThat(badDuration.exitCode()).as(badDuration.toString()).isEqualTo(1);

    assertThat(Groups.committed(group)).isEqualTo(Groups.offsets(topic, 8, 6));
  }

  @Test
  void exactlyOneTargetIsRequired() {
    assertThat(Cli.run("rewind", "--group", group).exitCode()).isEqualTo(2);
    assertThat(Cli.run("rewind", "--group", group, "--to-earliest", "--to-latest").exitCode()).isEqualTo(2);
    assertThat(Cli.run("rewind", "--to-earliest").exitCode()).isEqualTo(2);
  }
}
