package dev.tally.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.testing.Http;
import dev.tally.testing.TestInfrastructure;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The database checkpoint is the truth: when the read model loses applied work that Kafka's
 * consumer group has already passed (a backup restored, a database re-created), the projector
 * applies it again, whether it was running at the time or started afterwards.
 */
class ReadModelRecoveryTest {

  private final List<String> topics = TestInfrastructure.createTopics(3, "events", "dead-letters");
  private final String events = topics.get(0);
  private final String applicationId = TestInfrastructure.uniqueName("recovery");
  private final Ledger ledger = new Ledger(7, 60, Clock.systemUTC());

  private SpringProjector start(TestInfrastructure.Database database) {
    return SpringProjector.start(database, events, topics.get(1), applicationId);
  }

  private void append(int count) {
    List<SpecificRecord> next = ledger.next(count);
    try (EventLog log = EventLog.transactional(events)) {
      for (int i = 0; i < next.size(); i += 50) {
        log.append(next.subList(i, Math.min(i + 50, next.size())));
      }
    }
  }

  /** Waits until the read model has applied every record of the log, then requires it to be the fold of the log. */
  private void assertTheReadModelIsTheFoldOfTheLog(DataSource serving) {
    List<ConsumerRecord<String, byte[]>> records = EventLog.readAll(events);
    Map<Integer, Long> last = new HashMap<>();
    records.forEach(record -> last.merge(record.partition(), record.offset(), Math::max));
    await().atMost(Duration.ofSeconds(90)).until(() -> ReadModel.checkpoints(serving, events).equals(last));
    ReadModel.Dump expected = Fold.of(EventLog.events(records));
    ReadModel.Dump actual = ReadModel.dump(serving);
    assertThat(actual.accounts()).as("account rows").isEqualTo(expected.accounts());
    assertThat(actual.transactions()).as("history lines").isEqualTo(expected.transactions());
  }

  private static String liveSchema(DataSource db) {
    return ReadModel.query(db, "SELECT schema_name FROM tally_control.generations WHERE state = 'LIVE'").getFirst();
  }

  private static List<String> tables(DataSource db, String schema) {
    return ReadModel.query(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema
        + "' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'flyway%'");
  }

  /** A copy of every table of the live generation, as a backup would hold it. */
  private static void backUp(DataSource db) {
    String schema = liveSchema(db);
    StringBuilder sql = new StringBuilder("CREATE SCHEMA backup;");
    for (String table : tables(db, schema)) {
      sql.append("CREATE TABLE backup.").append(table).append(" AS TABLE ").append(schema).append('.').append(table)
          .append(';');
    }
    ReadModel.execute(db, sql.toString());
  }

  /** Projects some events, backs the read model up, projects more: the backup is then behind the log. */
  private void projectBackUpAndProjectMore(DataSource db, DataSource serving) {
    append(600);
    assertTheReadModelIsTheFoldOfTheLog(serving);
    backUp(db);
    append(600);
    assertTheReadModelIsTheFoldOfTheLog(serving);
  }

  /** Puts the backup back, in one transaction, while Kafka's committed offsets stay where they are. */
  private static void restore(DataSource db) {
    String schema = liveSchema(db);
    StringBuilder sql = new StringBuilder("BEGIN;");
    for (String table : tables(db, schema)) {
      String columns = String.join(", ", ReadModel.query(db, "SELECT column_name FROM information_schema.columns"
          + " WHERE table_schema = '" + schema + "' AND table_name = '" + table + "' AND is_generated = 'NEVER'"
          + " ORDER BY ordinal_position"));
      sql.append("DELETE FROM ").append(schema).append('.').append(table).append(';')
          .append("INSERT INTO ").append(schema).append('.').append(table).append(" (").append(columns)
          .append(") SELECT ").append(columns).append(" FROM backup.").append(table).append(';');
    }
    ReadModel.execute(db, sql.append("COMMIT;").toString());
  }

  @Test
  void aBackupRestoredWhileTheProjectorRunsIsCaughtUpWithTheLog() {
    TestInfrastructure.Database database = TestInfrastructure.newDatabase();
    DataSource db = ReadModel.dataSource(database);
    DataSource serving = ReadModel.servingDataSource(database);
    try (SpringProjector projector = start(database)) {
      projectBackUpAndProjectMore(db, serving);

      restore(db);
      append(300);
      assertTheReadModelIsTheFoldOfTheLog(serving);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
          Http.get(projector.url("/actuator/health")).statusCode()).as("healthy again").isEqualTo(200));
    }
  }

  @Test
  void aBackupRestoredWhileTheProjectorIsStoppedIsCaughtUpWhenItStarts() {
    TestInfrastructure.Database database = TestInfrastructure.newDatabase();
    DataSource db = ReadModel.dataSource(database);
    DataSource serving = ReadModel.servingDataSource(database);
    try (SpringProjector projector = start(database)) {
      projectBackUpAndProjectMore(db, serving);
    }
    restore(db);
    try (SpringProjector projector = start(database)) {
      append(300);
      assertTheReadModelIsTheFoldOfTheLog(serving);
    }
  }

  @Test
  void aNewDatabaseIsFilledFromTheStartOfTheLogThoughTheGroupKeptItsOffsets() {
    TestInfrastructure.Database old = TestInfrastructure.newDatabase();
    try (SpringProjector projector = start(old)) {
      append(600);
      assertTheReadModelIsTheFoldOfTheLog(ReadModel.servingDataSource(old));
    }
    TestInfrastructure.Database fresh = TestInfrastructure.newDatabase();
    try (SpringProjector projector = start(fresh)) {
      append(300);
      assertTheReadModelIsTheFoldOfTheLog(ReadModel.servingDataSource(fresh));
    }
  }
}
