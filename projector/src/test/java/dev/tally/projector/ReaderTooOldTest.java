package dev.tally.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.testing.Http;
import dev.tally.testing.TestInfrastructure;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A record written with a schema this projector does not know (a writer deployed before the
 * readers) is not poison: the projection stops at it, retries, and says why in its health; nothing
 * is parked or dead-lettered, so a newer projector takes it from there.
 */
class ReaderTooOldTest {

  @Test
  void aRecordFromANewerWriterStopsItsPartitionWithoutParkingAndHealthSaysWhy() {
    List<String> topics = TestInfrastructure.createTopics(1, "events", "dead-letters");
    TestInfrastructure.Database database = TestInfrastructure.newDatabase();
    DataSource serving = ReadModel.servingDataSource(database);
    UUID account = UUID.randomUUID();
    // Single-object encoding with a fingerprint no recorded schema has.
    byte[] newer = {(byte) 0xC3, 0x01, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, (byte) 0x80, 2, 4, 6};
    try (SpringProjector projector = SpringProjector.start(database, topics.get(0), topics.get(1),
        TestInfrastructure.uniqueName("too-old"));
         EventLog log = EventLog.transactional(topics.get(0))) {
      log.append(List.of(Events.opened(account, "alice", "EUR")));
      log.appendRaw(account.toString(), newer);
      log.append(List.of(Events.deposited(account, 2, 10, 10, "after the newer record")));

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        var health = Http.get(projector.url("/actuator/health"));
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"stalled\"", "unknown schema fingerprint", "\"partition\":0");
      });
      assertThat(ReadModel.query(serving, "SELECT balance || ' ' || version FROM accounts")).containsExactly("0 1");
      assertThat(ReadModel.query(serving, "SELECT count(*) FROM parked_keys")).containsExactly("0");
      assertThat(EventLog.readAll(topics.get(1))).as("dead letters").isEmpty();
    }
  }
}
