package dev.tally.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.testing.TestInfrastructure;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Re-reading the whole log over an existing read model changes nothing. */
class ReplayTest {

  @Test
  void aNewApplicationReadingFromTheBeginningLeavesTheReadModelAsItWas() {
    List<String> topics = TestInfrastructure.createTopics(3, "events", "dead-letters");
    DataSource db = ReadModel.dataSource(ReadModel.create());
    List<SpecificRecord> events = new Ledger(3, 200, Clock.systemUTC()).next(6000);
    try (EventLog log = EventLog.transactional(topics.get(0))) {
      for (int i = 0; i < events.size(); i += 500) {
        log.append(events.subList(i, i + 500));
      }
    }
    List<ConsumerRecord<String, byte[]>> records = EventLog.readAll(topics.get(0));
    Map<Integer, Long> lastOffsets = new HashMap<>();
    records.forEach(record -> lastOffsets.merge(record.partition(), record.offset(), Math::max));

    try (InProcessProjector first = new InProcessProjector(TestInfrastructure.uniqueName("first"), topics.get(0),
        topics.get(1), db, Duration.ofMillis(100))) {
      await().atMost(Duration.ofSeconds(60))
          .until(() -> ReadModel.checkpoints(db, topics.get(0)).equals(lastOffsets));
    }
    ReadModel.Dump before = ReadModel.dump(db);
    assertThat(before).isEqualTo(Fold.of(EventLog.events(records)));
    List<String> checkpointsBefore = ReadModel.query(db, "SELECT partition || ':' || applied_offset || ':' "
        + "|| last_event_timestamp FROM projection_checkpoints ORDER BY partition");

    try (InProcessProjector replay = new InProcessProjector(TestInfrastructure.uniqueName("replay"), topics.get(0),
        topics.get(1), db, Duration.ofMillis(100));
         Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
             TestInfrastructure.kafkaBootstrapServers()))) {
      await().atMost(Duration.ofSeconds(60)).until(() -> readPast(admin, replay.applicationId, lastOffsets));
      assertThat(replay.eventsWritten()).as("records the read model holds are not applied again").isZero();
    }

    assertThat(ReadModel.dump(db)).isEqualTo(before);
    assertThat(ReadModel.query(db, "SELECT partition || ':' || applied_offset || ':' || last_event_timestamp"
        + " FROM projection_checkpoints ORDER BY partition")).isEqualTo(checkpointsBefore);
    assertThat(ReadModel.query(db, "SELECT count(*) FROM parked_keys")).containsExactly("0");
  }

  /** Whether the group has committed, on every partition, an offset past the last record. */
  private static boolean readPast(Admin admin, String group, Map<Integer, Long> lastOffsets) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    return lastOffsets.entrySet().stream().allMatch(last -> committed.entrySet().stream().anyMatch(entry ->
        entry.getKey().partition() == last.getKey() && entry.getValue() != null
            && entry.getValue().offset() > last.getValue()));
  }
}
