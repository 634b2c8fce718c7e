package dev.tally.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.runtime.projection.ToyProjection;
import dev.tally.testing.TestInfrastructure;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The projector serves any projection, not only the account's: the toy projection of the runtime's
 * tests, on its own events topic into its own table, registered beside the account's and run by the
 * same generation (one Kafka Streams application), against a real broker and database.
 */
class TwoProjectionsTest {

  private final List<String> topics = TestInfrastructure.createTopics(3, "events", "dead-letters", "toy-events",
      "toy-dead-letters");
  private final String accountEvents = topics.get(0);
  private final String toyEvents = topics.get(2);
  private final String toyDeadLetters = topics.get(3);
  private final Ledger ledger = new Ledger(13, 40, Clock.systemUTC());

  private void appendAccounts(int count) {
    List<SpecificRecord> next = ledger.next(count);
    try (EventLog log = EventLog.transactional(accountEvents)) {
      for (int i = 0; i < next.size(); i += 50) {
        log.append(next.subList(i, Math.min(i + 50, next.size())));
      }
    }
  }

  private static void appendToy(EventLog log, UUID toy, long version, long value) {
    log.appendRaw(toy.toString(), ToyProjection.record(version, UUID.randomUUID(), value));
  }

  /** Waits until a projection has applied every record of its topic. */
  private static void awaitApplied(DataSource serving, String projection, String topic) {
    Map<Integer, Long> last = new HashMap<>();
    EventLog.readAll(topic).forEach(record -> last.merge(record.partition(), record.offset(), Math::max));
    await().atMost(Duration.ofSeconds(90)).until(() -> checkpoints(serving, projection, topic).equals(last));
  }

  private static Map<Integer, Long> checkpoints(DataSource serving, String projection, String topic) {
    Map<Integer, Long> offsets = new HashMap<>();
    for (String row : ReadModel.query(serving, "SELECT partition || ':' || applied_offset FROM projection_checkpoints"
        + " WHERE projection = '" + projection + "' AND topic = '" + topic + "'")) {
      String[] parts = row.split(":");
      offsets.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
    }
    return offsets;
  }

  private static String version(DataSource serving, UUID aggregate) {
    return String.join(",", ReadModel.query(serving, "SELECT aggregate_type || ' ' || version FROM aggregate_versions"
        + " WHERE aggregate_id = '" + aggregate + "'"));
  }

  @Test
  void aSecondProjectionIsFilledFromItsOwnTopicAndAGapInItParksOnlyItsKey() {
    TestInfrastructure.Database database = TestInfrastructure.newDatabase();
    DataSource serving = ReadModel.servingDataSource(database);
    UUID toy = UUID.randomUUID();
    UUID gappy = UUID.randomUUID();
    try (SpringProjector projector = SpringProjector.start(database, accountEvents, topics.get(1),
        TestInfrastructure.uniqueName("two-projections"), ProjectorWithToys.class,
        Map.of("tally.topics.toy.events", toyEvents, "tally.topics.toy.dead-letters", toyDeadLetters))) {
      appendAccounts(300);
      try (EventLog log = EventLog.plain(toyEvents)) {
        appendToy(log, toy, 1, 10);
        appendToy(log, toy, 2, 20);
        appendToy(log, gappy, 1, 5);
        appendToy(log, gappy, 3, 7);
        appendToy(log, gappy, 4, 8);
      }

      awaitApplied(serving, ToyProjection.NAME, toyEvents);
      assertThat(ReadModel.query(serving, "SELECT toy_id || ' ' || value || ' ' || version FROM toys ORDER BY value"))
          .containsExactlyInAnyOrder(gappy + " 5 1", toy + " 20 2");
      assertThat(ReadModel.query(serving, "SELECT projection || ' ' || record_key || ' ' || kind FROM parked_keys"))
          .containsExactly(ToyProjection.NAME + " " + gappy + " gap");
      List<ConsumerRecord<String, byte[]>> toyLetters = await().atMost(Duration.ofSeconds(30))
          .until(() -> EventLog.readAll(toyDeadLetters), records -> records.size() >= 2);
      assertThat(toyLetters).hasSize(2).allSatisfy(letter -> assertThat(letter.key()).isEqualTo(gappy.toString()));

      appendAccounts(300);
      awaitApplied(serving, "accounts", accountEvents);
      List<ConsumerRecord<String, byte[]>> records = EventLog.readAll(accountEvents);
      assertThat(ReadModel.dump(serving)).as("the account projection goes on beside the parked toy")
          .isEqualTo(Fold.of(EventLog.events(records)));
      assertThat(EventLog.readAll(topics.get(1))).as("account dead letters").isEmpty();

      assertThat(ReadModel.query(serving, "SELECT DISTINCT projection || ' ' || topic FROM projection_checkpoints"))
          .containsExactlyInAnyOrder("accounts " + accountEvents, ToyProjection.NAME + " " + toyEvents);
      assertThat(version(serving, toy)).isEqualTo("toy 2");
      assertThat(version(serving, gappy)).as("a token for the gap's versions is never satisfied").isEqualTo("toy 1");
      UUID account = UUID.fromString(records.getLast().key());
      assertThat(version(serving, account)).isEqualTo("account " + ReadModel.query(serving,
          "SELECT version FROM accounts WHERE account_id = '" + account + "'").getFirst());
    }
  }
}
