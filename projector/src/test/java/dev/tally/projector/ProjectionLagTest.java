package dev.tally.projector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.runtime.projection.ProjectionLag;
import dev.tally.runtime.projection.Generation;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.testing.Await;
import dev.tally.testing.TestInfrastructure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Lag in records and in time, measured against the checkpoint in PostgreSQL. */
class ProjectionLagTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  private Admin admin;
  private DataSource db;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start() {
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers()));
    db = ReadModel.dataSource(ReadModel.create());
  }

  @AfterEach
  void stop() {
    admin.close();
  }

  private ProjectionLag lag(String topic) {
    return lag(topic, TestInfrastructure.uniqueName("group"));
  }

  private ProjectionLag lag(String topic, String group) {
    return new ProjectionLag(admin, db, TestInfrastructure.kafkaBootstrapServers(), topic, "accounts",
        () -> new Generation(1, "public", group, Generation.State.LIVE), registry, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  /** Ten deposits on one account, one every second, the first one 60 s before NOW. */
  private static List<SpecificRecord> tenEvents() {
    UUID account = UUID.randomUUID();
    List<SpecificRecord> events = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      events.add(MoneyDeposited.newBuilder(Events.deposited(account, i + 2, 1, i + 1, "r"))
          .setMetadata(Events.metadata(account, i + 2, NOW.minusSeconds(60 - i))).build());
    }
    return events;
  }

  private void checkpoint(String topic, long offset) {
    ReadModel.execute(db, """
        INSERT INTO projection_checkpoints VALUES ('accounts', '%s', 0, %d, now(), now())
        ON CONFLICT (projection, topic, partition) DO UPDATE SET applied_offset = EXCLUDED.applied_offset"""
        .formatted(topic, offset));
  }

  @Test
  void lagCountsTheRecordsNotYetAppliedAndTheAgeOfTheOldestOfThem() {
    String topic = TestInfrastructure.createTopics(1, "events").getFirst();
    try (EventLog log = EventLog.plain(topic)) {
      log.append(tenEvents());
    }
    try (ProjectionLag lag = lag(topic)) {
      lag.refresh();
      assertThat(lag.lag(0)).isEqualTo(new ProjectionLag.Lag(10, 60.0));
      assertThat(registry.get("tally.projection.lag.records").tag("partition", "0").gauge().value()).isEqualTo(10);
      assertThat(registry.get("tally.projection.lag.seconds").tag("partition", "0").gauge().value()).isEqualTo(60);

      checkpoint(topic, 4);
      lag.refresh();
      assertThat(lag.lag(0)).isEqualTo(new ProjectionLag.Lag(5, 55.0));

      checkpoint(topic, 9);
      lag.refresh();
      assertThat(lag.lag(0)).isEqualTo(new ProjectionLag.Lag(0, 0.0));
    }
  }

  @Test
  void aTransactionMarkerAfterTheLastAppliedEventIsNoLag() {
    String topic = TestInfrastructure.createTopics(1, "events").getFirst();
    try (EventLog log = EventLog.transactional(topic)) {
      log.append(tenEvents());
    }
    try (ProjectionLag lag = lag(topic)) {
      // A commit returns before its marker is in the partition: until then nothing is committed there.
      Await.until(Duration.ofSeconds(30), "ten events and a commit marker counted", () -> {
        lag.refresh();
        return lag.lag(0).records() == 11;
      });

      checkpoint(topic, 9);
      lag.refresh();
      assertThat(lag.lag(0)).isEqualTo(new ProjectionLag.Lag(0, 0.0));
    }
  }

  @Test
  void lagIsCountedFromTheDatabaseCheckpointEvenWhenTheConsumerGroupIsAhead() throws Exception {
    String topic = TestInfrastructure.createTopics(1, "events").getFirst();
    try (EventLog log = EventLog.plain(topic)) {
      log.append(tenEvents());
    }
    // The group has passed every record, but the read model holds only the first five (a restored backup, say).
    String group = TestInfrastructure.uniqueName("group");
    admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(10))).all()
        .get(30, TimeUnit.SECONDS);
    checkpoint(topic, 4);
    try (ProjectionLag lag = lag(topic, group)) {
      lag.refresh();
      assertThat(lag.lag(0)).isEqualTo(new ProjectionLag.Lag(5, 55.0));
    }
  }
}
