package dev.tally.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.testing.TestInfrastructure;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The property the whole design rests on: Kafka Streams never commits an input offset that the
 * database does not cover. Sampled many times while the projector works through a stream.
 *
 * <p>The events are written without transactions here, so offsets are dense and the check is
 * exact: a committed offset c means records up to c - 1 were processed, so the checkpoint read
 * afterwards must be at least c - 1. Were the batch written after the commit, the committed offset
 * would run ahead of the database between the two.
 */
class FlushBeforeCommitTest {

  @Test
  void theCommittedOffsetIsNeverAheadOfTheDatabase() throws Exception {
    List<String> topics = TestInfrastructure.createTopics(3, "events", "dead-letters");
    String topic = topics.get(0);
    DataSource db = ReadModel.dataSource(ReadModel.create());
    Ledger ledger = new Ledger(5, 300, Clock.systemUTC());

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            TestInfrastructure.kafkaBootstrapServers()));
         InProcessProjector projector = new InProcessProjector(TestInfrastructure.uniqueName("invariant"), topic,
             topics.get(1), db, Duration.ofMillis(20))) {
      CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
        try (EventLog log = EventLog.plain(topic)) {
          for (int i = 0; i < 60; i++) {
            log.append(ledger.next(500));
          }
        }
      });

      int samples = 0;
      int samplesWithProgress = 0;
      while (!producing.isDone() || samplesWithProgress < 50) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(projector.applicationId)
            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<Integer, Long> applied = ReadModel.checkpoints(db, topic);
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
          long offset = entry.getValue().offset();
          assertThat(applied.getOrDefault(entry.getKey().partition(), -1L))
              .as("checkpoint of %s read after committed offset %d", entry.getKey(), offset)
              .isGreaterThanOrEqualTo(offset - 1);
        }
        samples++;
        if (!committed.isEmpty()) {
          samplesWithProgress++;
        }
        assertThat(samples).as("sampling rounds").isLessThan(100_000);
      }
      producing.get(60, TimeUnit.SECONDS);

      List<ConsumerRecord<String, byte[]>> records = EventLog.readAll(topic);
      Map<Integer, Long> last = new HashMap<>();
      records.forEach(record -> last.merge(record.partition(), record.offset(), Math::max));
      await().atMost(Duration.ofSeconds(60)).until(() -> ReadModel.checkpoints(db, topic).equals(last));
      assertThat(ReadModel.dump(db)).isEqualTo(Fold.of(EventLog.events(records)));
      assertThat(samplesWithProgress).isGreaterThanOrEqualTo(50);
    }
  }
}
