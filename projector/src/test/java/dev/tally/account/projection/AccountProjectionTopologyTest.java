package dev.tally.account.projection;

import static dev.tally.projector.Events.T0;
import static dev.tally.projector.Events.closed;
import static dev.tally.projector.Events.deposited;
import static dev.tally.projector.Events.encode;
import static dev.tally.projector.Events.opened;
import static dev.tally.projector.Events.withdrawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.projector.ReadModel;
import dev.tally.runtime.projection.DeadLetters;
import dev.tally.runtime.projection.ProjectionHealth;
import dev.tally.runtime.projection.ProjectionMetrics;
import dev.tally.runtime.projection.ProjectorTopologyConfig;
import dev.tally.schemas.AvroCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The account projection, driven record by record by {@link TopologyTestDriver} into a real
 * PostgreSQL database.
 *
 * <p>The driver commits after every record it processes ({@code prepareCommit} then
 * {@code postCommit}), and {@code prepareCommit} calls the store's {@code flushCache()}: each piped
 * record is therefore one batch, written before {@code pipeInput} returns. Multi-event batches
 * (coalescing) are covered by {@link AccountBatchTest} and the tests against a real broker.
 */
class AccountProjectionTopologyTest {

  private static final String EVENTS = "events";
  private static final String DEAD_LETTERS = "dead-letters";

  @TempDir
  Path stateDir;

  private DataSource db;
  private SimpleMeterRegistry registry;
  private ProjectionHealth health;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> events;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void start() {
    db = ReadModel.dataSource(ReadModel.create());
    startDriver();
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void startDriver() {
    registry = new SimpleMeterRegistry();
    health = new ProjectionHealth(Clock.systemUTC());
    ProjectorTopologyConfig config = new ProjectorTopologyConfig(EVENTS, DEAD_LETTERS, AccountProjection.NAME, db,
        "public", 3, "topology-test", "unused:9092", "tally_projection", 1000,
        new ProjectionMetrics(registry, AccountProjection.NAME), health);
    Properties properties = new Properties();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(AccountProjection.build(config), properties, T0);
    events = driver.createInputTopic(EVENTS, new ByteArraySerializer(), new ByteArraySerializer());
    deadLetters = driver.createOutputTopic(DEAD_LETTERS, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private void pipe(SpecificRecord event) {
    UUID account = UUID.fromString(((dev.tally.schemas.event.EventMetadata) event.get(0)).getAggregateId());
    events.pipeInput(key(account), encode(event));
  }

  private static byte[] key(UUID account) {
    return account.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anOpenedAccountIsARowWithAZeroBalanceAndNoHistory() {
    UUID alice = UUID.randomUUID();
    pipe(opened(alice, "alice", "EUR"));

    assertThat(ReadModel.query(db, "SELECT owner || ' ' || currency || ' ' || balance || ' ' || status || ' ' || version"
        + " || ' ' || (opened_at = updated_at) FROM accounts WHERE account_id = '" + alice + "'"))
        .containsExactly("alice EUR 0 OPEN 1 true");
    assertThat(ReadModel.query(db, "SELECT opened_at = '" + T0 + "'::timestamptz FROM accounts")).containsExactly("t");
    assertThat(ReadModel.query(db, "SELECT count(*) FROM account_transactions")).containsExactly("0");
  }

  @Test
  void depositsAndWithdrawalsMoveTheBalanceAndEachAddsAHistoryLine() {
    UUID alice = UUID.randomUUID();
    pipe(opened(alice, "alice", "EUR"));
    pipe(deposited(alice, 2, 1000, 1000, "salary"));
    pipe(withdrawn(alice, 3, 250, 750, "rent"));
    pipe(deposited(alice, 4, 5, 755, "interest"));

    assertThat(ReadModel.query(db, "SELECT balance || ' ' || version || ' ' || status || ' ' || (updated_at = '"
        + T0.plusSeconds(4) + "'::timestamptz) FROM accounts WHERE account_id = '" + alice + "'"))
        .containsExactly("755 4 OPEN true");
    assertThat(ReadModel.query(db, "SELECT version || ' ' || type || ' ' || amount || ' ' || balance_after || ' ' || reference"
        + " FROM account_transactions WHERE account_id = '" + alice + "' ORDER BY version"))
        .containsExactly("2 DEPOSIT 1000 1000 salary", "3 WITHDRAWAL 250 750 rent", "4 DEPOSIT 5 755 interest");
    assertThat(ReadModel.query(db, "SELECT occurred_at = '" + T0.plusSeconds(3) + "'::timestamptz"
        + " AND event_id IS NOT NULL FROM account_transactions WHERE version = 3")).containsExactly("t");
  }

  @Test
  void closingKeepsTheBalanceAndMarksTheAccountClosed() {
    UUID alice = UUID.randomUUID();
    pipe(opened(alice, "alice", "EUR"));
    pipe(deposited(alice, 2, 100, 100, "in"));
    pipe(withdrawn(alice, 3, 100, 0, "out"));
    pipe(closed(alice, 4));

    assertThat(ReadModel.query(db, "SELECT balance || ' ' || status || ' ' || version FROM accounts"))
        .containsExactly("0 CLOSED 4");
    assertThat(ReadModel.query(db, "SELECT count(*) FROM account_transactions")).containsExactly("2");
  }

  @Test
  void anEventAppendedTwiceChangesNothingTheSecondTime() {
    UUID alice = UUID.randomUUID();
    List<SpecificRecord> history = List.of(opened(alice, "alice", "EUR"), deposited(alice, 2, 1000, 1000, "a"),
        withdrawn(alice, 3, 300, 700, "b"));
    history.forEach(this::pipe);
    ReadModel.Dump before = ReadModel.dump(db);

    pipe(history.get(2));

    assertThat(ReadModel.dump(db)).isEqualTo(before);
    assertThat(ReadModel.query(db, "SELECT count(*) FROM parked_keys")).containsExactly("0");
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(registry.get("tally.projection.duplicates").counter().count()).isEqualTo(1);
    assertThat(ReadModel.query(db, "SELECT applied_offset FROM projection_checkpoints")).containsExactly("3");
  }

  @Test
  void recordsTheReadModelHoldsAlreadyAreNotAppliedAgainWhenReplayed() {
    UUID alice = UUID.randomUUID();
    List<SpecificRecord> history = List.of(opened(alice, "alice", "EUR"), deposited(alice, 2, 1000, 1000, "a"),
        withdrawn(alice, 3, 300, 700, "b"));
    history.forEach(this::pipe);
    ReadModel.Dump before = ReadModel.dump(db);

    // A restarted driver reads the topic from offset 0 again: a replay from behind the checkpoint.
    driver.close();
    startDriver();
    history.forEach(this::pipe);

    assertThat(ReadModel.dump(db)).isEqualTo(before);
    assertThat(registry.get("tally.projection.batch.size").summary().count()).as("nothing to write").isZero();
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void anOlderVersionAtALaterOffsetParksItsAggregateAndIsDeadLetteredWhenReplayed() {
    UUID alice = UUID.randomUUID();
    List<SpecificRecord> history = List.of(opened(alice, "alice", "EUR"), deposited(alice, 2, 1000, 1000, "a"),
        withdrawn(alice, 3, 300, 700, "b"));
    history.forEach(this::pipe);

    assertThatThrownBy(() -> pipe(history.get(1))).hasStackTraceContaining("parked 1 key(s)");
    assertThat(ReadModel.query(db, "SELECT kind || ' ' || parked_offset || ' ' || parked_by FROM parked_keys"))
        .containsExactly("overlap 3 topology-test");
    assertThat(registry.get("tally.projection.faults").tag("kind", "overlap").counter().count()).isEqualTo(1);

    // The task replays from its last committed offset, as Kafka Streams would after the failure.
    assertThatThrownBy(driver::close).hasStackTraceContaining("parked 1 key(s)");
    stateDir = stateDir.resolve("replayed");
    startDriver();
    history.forEach(this::pipe);
    pipe(history.get(1));
    pipe(deposited(alice, 4, 1, 701, "held back"));

    List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
    assertThat(letters).hasSize(2);
    assertThat(headers(letters.get(0))).containsEntry(DeadLetters.REASON, "overlap")
        .containsEntry(DeadLetters.SOURCE_OFFSET, "3");
    assertThat(headers(letters.get(0)).get(DeadLetters.EXCEPTION_MESSAGE)).startsWith("overlap: version 2");
    assertThat(headers(letters.get(1))).containsEntry(DeadLetters.REASON, "parked")
        .containsEntry(DeadLetters.PARKED_BY_OFFSET, "3");
    assertThat(ReadModel.query(db, "SELECT balance || ' ' || version FROM accounts")).containsExactly("700 3");
  }

  @Test
  void deadLettersNameTheGenerationAndApplicationThatSentThem() {
    events.pipeInput(key(UUID.randomUUID()), "not avro".getBytes(StandardCharsets.UTF_8));

    assertThat(headers(deadLetters.readRecord())).containsEntry(DeadLetters.GENERATION, "3")
        .containsEntry(DeadLetters.APPLICATION_ID, "topology-test");
  }

  @Test
  void everyBatchCommitsTheAppliedOffsetAndNotifiesReaders() throws Exception {
    UUID alice = UUID.randomUUID();
    try (Connection listener = db.getConnection()) {
      listener.createStatement().execute("LISTEN tally_projection");
      pipe(opened(alice, "alice", "EUR"));
      pipe(deposited(alice, 2, 10, 10, "x"));

      assertThat(ReadModel.query(db, "SELECT projection || ' ' || topic || ' ' || partition || ' ' || applied_offset"
          + " FROM projection_checkpoints")).containsExactly("accounts events 0 1");
      PGNotification[] notifications = listener.unwrap(PGConnection.class).getNotifications(5000);
      assertThat(notifications).isNotEmpty();
      assertThat(notifications[0].getName()).isEqualTo("tally_projection");
      assertThat(notifications[0].getParameter()).startsWith("accounts 0:");
    }
    assertThat(registry.get("tally.projection.batch.size").summary().count()).isEqualTo(2);
    assertThat(registry.get("tally.projection.rows.written").counter().count()).isEqualTo(3);
  }

  @Test
  void aPoisonRecordGoesToTheDeadLetterTopicWithWhyAndWhereAndParksItsKeyOnly() {
    UUID alice = UUID.randomUUID();
    UUID bob = UUID.randomUUID();
    pipe(opened(alice, "alice", "EUR"));
    pipe(opened(bob, "bob", "EUR"));
    byte[] poison = "not avro at all".getBytes(StandardCharsets.UTF_8);
    events.pipeInput(new TestRecord<>(key(bob), poison, T0.plusSeconds(30)));
    pipe(deposited(bob, 3, 50, 50, "after the poison"));
    pipe(deposited(alice, 2, 70, 70, "alice goes on"));

    List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
    assertThat(letters).hasSize(2);
    TestRecord<byte[], byte[]> first = letters.get(0);
    assertThat(first.key()).isEqualTo(key(bob));
    assertThat(first.value()).isEqualTo(poison);
    assertThat(first.timestamp()).isEqualTo(T0.plusSeconds(30).toEpochMilli());
    Map<String, String> headers = headers(first);
    assertThat(headers).containsEntry(DeadLetters.REASON, "undecodable")
        .containsEntry(DeadLetters.PROJECTION, "accounts")
        .containsEntry(DeadLetters.EXCEPTION_CLASS, AvroCodec.UndecodableRecordException.class.getName())
        .containsEntry(DeadLetters.SOURCE_TOPIC, EVENTS)
        .containsEntry(DeadLetters.SOURCE_PARTITION, "0")
        .containsEntry(DeadLetters.SOURCE_OFFSET, "2")
        .containsEntry(DeadLetters.SOURCE_TIMESTAMP, Long.toString(T0.plusSeconds(30).toEpochMilli()));
    assertThat(headers.get(DeadLetters.EXCEPTION_MESSAGE)).contains("not an Avro single-object encoded record");
    Map<String, String> parked = headers(letters.get(1));
    assertThat(parked).containsEntry(DeadLetters.REASON, "parked").containsEntry(DeadLetters.PARKED_BY_OFFSET, "2")
        .containsEntry(DeadLetters.SOURCE_OFFSET, "3");

    assertThat(ReadModel.query(db, "SELECT owner || ' ' || balance || ' ' || version FROM accounts ORDER BY owner"))
        .containsExactly("alice 70 2", "bob 0 1");
    assertThat(ReadModel.query(db, "SELECT record_key || ' ' || parked_offset || ' ' || reason FROM parked_keys"))
        .singleElement().asString().startsWith(bob + " 2 undecodable: UndecodableRecordException");
    assertThat(ReadModel.query(db, "SELECT applied_offset FROM projection_checkpoints")).containsExactly("4");
    assertThat(registry.get("tally.projection.dead.letters").tag("reason", "undecodable").counter().count()).isEqualTo(1);
    assertThat(registry.get("tally.projection.dead.letters").tag("reason", "parked").counter().count()).isEqualTo(1);
  }

  @Test
  void aParkedKeyStaysParkedAfterARestart() {
    UUID bob = UUID.randomUUID();
    pipe(opened(bob, "bob", "EUR"));
    // A known schema's fingerprint with a body that does not match it: corrupt bytes stay poison.
    byte[] corrupt = Arrays.copyOf(encode(deposited(bob, 2, 10, 10, "x")), 12);
    corrupt[10] = (byte) 0xFF;
    corrupt[11] = (byte) 0xFF;
    events.pipeInput(key(bob), corrupt);
    driver.close();

    startDriver();
    pipe(opened(UUID.randomUUID(), "carol", "EUR"));
    pipe(opened(UUID.randomUUID(), "dave", "EUR"));
    pipe(deposited(bob, 3, 50, 50, "still parked"));

    List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
    assertThat(letters).singleElement().satisfies(letter -> assertThat(headers(letter))
        .containsEntry(DeadLetters.REASON, "parked").containsEntry(DeadLetters.PARKED_BY_OFFSET, "1"));
    assertThat(ReadModel.query(db, "SELECT reason FROM parked_keys")).singleElement().asString()
        .startsWith("undecodable: UndecodableRecordException: corrupt body");
    assertThat(ReadModel.query(db, "SELECT balance FROM accounts WHERE owner = 'bob'")).containsExactly("0");
  }

  @Test
  void aRecordWrittenWithASchemaThisReaderDoesNotKnowStopsTheTaskAndParksNothing() {
    UUID alice = UUID.randomUUID();
    pipe(opened(alice, "alice", "EUR"));
    // Single-object encoding with a fingerprint no recorded schema has: written by a newer writer.
    byte[] tooNew = {(byte) 0xC3, 0x01, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88, 2, 4, 6};

    assertThatThrownBy(() -> events.pipeInput(key(alice), tooNew)).hasStackTraceContaining("unknown schema");

    assertThat(health.stalls("public")).singleElement().satisfies(stall -> {
      assertThat(stall.offset()).isEqualTo(1);
      assertThat(stall.reason()).contains("unknown schema fingerprint");
    });
    assertThat(registry.get("tally.projection.stalls").counter().count()).isEqualTo(1);
    assertThat(ReadModel.query(db, "SELECT count(*) FROM parked_keys")).containsExactly("0");
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(ReadModel.query(db, "SELECT applied_offset FROM projection_checkpoints")).containsExactly("0");
  }

  @Test
  void readableRecordsThatCannotBeAppliedAreDeadLettersToo() {
    UUID alice = UUID.randomUUID();
    UUID bob = UUID.randomUUID();
    // A command is valid Avro but not an event.
    events.pipeInput(key(alice), AnyRecord.encoded("dev.tally.schemas.command.DepositMoney"));
    // An event under another account's key.
    events.pipeInput(key(bob), encode(opened(alice, "alice", "EUR")));
    // A NUL character, which PostgreSQL text cannot hold.
    events.pipeInput(key(UUID.randomUUID()), encode(opened(UUID.randomUUID(), "ev\0l", "EUR")));

    List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
    assertThat(letters).hasSize(3).allSatisfy(letter -> assertThat(headers(letter))
        .containsEntry(DeadLetters.REASON, "invalid")
        .containsKey(DeadLetters.EXCEPTION_MESSAGE));
    assertThat(headers(letters.get(0)).get(DeadLetters.EXCEPTION_MESSAGE)).contains("not an account event");
    assertThat(headers(letters.get(1)).get(DeadLetters.EXCEPTION_MESSAGE)).contains("is not the event's aggregate id");
    assertThat(ReadModel.query(db, "SELECT count(*) FROM accounts")).containsExactly("0");
    assertThat(ReadModel.query(db, "SELECT applied_offset FROM projection_checkpoints")).containsExactly("2");
  }

  @Test
  void aBatchTheDatabaseRefusesLeavesNeitherRowsNorCheckpoint() {
    ReadModel.execute(db, """
        CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
        CREATE TRIGGER refuse BEFORE INSERT ON account_transactions
          FOR EACH ROW WHEN (NEW.reference = 'refuse me') EXECUTE FUNCTION refuse();""");
    UUID alice = UUID.randomUUID();
    pipe(opened(alice, "alice", "EUR"));

    assertThatThrownBy(() -> pipe(deposited(alice, 2, 10, 10, "refuse me"))).hasStackTraceContaining("refused by the test");

    // The account row of the refused batch was rolled back with it, and so was the checkpoint.
    assertThat(ReadModel.query(db, "SELECT balance || ' ' || version FROM accounts")).containsExactly("0 1");
    assertThat(ReadModel.query(db, "SELECT applied_offset FROM projection_checkpoints")).containsExactly("0");

    // The store now refuses every commit of this task, even once the database would accept the
    // batch again: offsets past the refused record must never be committed. Kafka Streams closes
    // the task and replays from the last committed offset.
    ReadModel.execute(db, "DROP TRIGGER refuse ON account_transactions");
    UUID bob = UUID.randomUUID();
    assertThatThrownBy(() -> pipe(opened(bob, "bob", "EUR"))).hasStackTraceContaining("refused by the test");
    assertThatThrownBy(driver::close).hasStackTraceContaining("refused by the test");
    assertThat(ReadModel.query(db, "SELECT owner FROM accounts")).containsExactly("alice");
    assertThat(ReadModel.query(db, "SELECT applied_offset FROM projection_checkpoints")).containsExactly("0");

    // Re-initialised (as after the task is revived), the replayed records go through.
    stateDir = stateDir.resolve("revived");
    startDriver();
    pipe(opened(alice, "alice", "EUR"));
    pipe(deposited(alice, 2, 10, 10, "refuse me"));
    assertThat(ReadModel.query(db, "SELECT balance || ' ' || version FROM accounts")).containsExactly("10 2");
  }

  private static Map<String, String> headers(TestRecord<byte[], byte[]> record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    return headers;
  }
}
