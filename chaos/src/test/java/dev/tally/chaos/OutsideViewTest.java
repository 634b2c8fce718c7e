package dev.tally.chaos;

import dev.tally.runtime.projection.Projection;
import dev.tally.ledger.Ledger;
import static dev.tally.testing.AccountEvents.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.chaos.Request.Answer;
import dev.tally.chaos.Request.Kind;
import dev.tally.chaos.Request.Outcome;
import dev.tally.chaos.Request.State;
import dev.tally.account.projection.AccountProjection;
import dev.tally.cli.EventTopics;
import dev.tally.cli.Kafka;
import dev.tally.cli.ModelVerification;
import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import dev.tally.schemas.Aggregates;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.testing.AccountEvents;
import dev.tally.testing.TestInfrastructure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outside view a run's verdicts are built on, over a real broker and a real database: the log
 * as {@link LogScan} reads it, the read model as {@link ReadModel} reads it and as the CLI's
 * {@link ModelVerification} compares it with a fold of the log. A deposit appended twice (the
 * second time at the next version) and a read model that lost a line and parked a key are caught.
 */
class OutsideViewTest {

  private static final String READER = "tally_reader";
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);

  private final String alice = UUID.randomUUID().toString();
  private String topic;
  private TestInfrastructure.Database database;
  private Generations generations;
  private Generation live;
  private int partition;
  private long lastOffset;

  @BeforeEach
  void aLogWithADuplicatedDepositAndAReadModelThatLostALine() throws Exception {
    TestInfrastructure.ensureRole(READER);
    database = TestInfrastructure.newDatabase();
    generations = new Generations(database.dataSource(), READER, Projection.of(Ledger.SLICES));
    topic = TestInfrastructure.createTopics(3, "chaos-events").getFirst();
    List<SpecificRecord> events = List.of(
        correlated(AccountEvents.opened(alice, "r1", "EUR", T0), "r1"),
        correlated(AccountEvents.deposited(alice, 2, 100, 100, T0.plusSeconds(1)), "r2"),
        correlated(AccountEvents.deposited(alice, 3, 100, 200, T0.plusSeconds(1)), "r2"));
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
      for (SpecificRecord event : events) {
        RecordMetadata written = producer.send(record(topic, event)).get();
        partition = written.partition();
        lastOffset = written.offset();
      }
      producer.send(new ProducerRecord<>(topic, partition, alice, new byte[] {1, 2, 3})).get();
    }
    live = generations.bootstrap("projector");
    execute("INSERT INTO " + live.schema() + ".accounts VALUES ('" + alice + "', 'r1', 'EUR', 200, 'OPEN', 3, '" + T0
        + "', '" + T0.plusSeconds(1) + "')",
        "INSERT INTO " + live.schema() + ".account_transactions VALUES ('" + alice + "', 3, 'DEPOSIT', 100, 200, 'r2', '"
            + T0.plusSeconds(1) + "', '" + UUID.randomUUID() + "')",
        "INSERT INTO " + live.schema() + ".parked_keys VALUES ('accounts', '" + topic + "', '" + alice + "', " + partition
            + ", " + (lastOffset + 1) + ", 'undecodable', now())",
        "INSERT INTO " + live.schema() + ".projection_checkpoints VALUES ('accounts', '" + topic + "', " + partition + ", "
            + lastOffset + ", now(), now())");
  }

  @Test
  void theLogAndTheReadModelAreReadAsTheyAreAndTheirFaultsCaught() throws Exception {
    LogScan.Log log;
    ModelVerification.Result verified;
    try (Kafka kafka = Kafka.connect(TestInfrastructure.kafkaBootstrapServers())) {
      log = LogScan.read(kafka, topic);
      verified = ModelVerification.verify(kafka, database.dataSource(), live.schema(),
          List.of(AccountProjection.PROJECTION), EventTopics.of(Map.of(Aggregates.ACCOUNT, topic)));
    }
    Map<Integer, Long> behind = ReadModel.awaitCatchUp(generations, topic, log.lastOffsets(), Duration.ZERO);
    ReadModel.Facts model = ReadModel.read(database.dataSource(), live.schema());

    assertThat(log.events()).extracting(LogScan.Event::kind).containsExactly(LogScan.EventKind.OPENED,
        LogScan.EventKind.DEPOSITED, LogScan.EventKind.DEPOSITED, LogScan.EventKind.UNDECODABLE);
    assertThat(log.events()).extracting(LogScan.Event::correlationId).containsExactly("r1", "r2", "r2", null);
    assertThat(log.lastOffsets()).isEqualTo(Map.of(partition, lastOffset + 1));
    assertThat(behind).as("the undecodable record is not applied").isEqualTo(Map.of(partition, 1L));
    assertThat(model.balances()).isEqualTo(Map.of(alice, 200L));
    assertThat(model.lineReferences()).isEqualTo(Map.of(alice + "/3", "r2"));
    assertThat(model.parkedKeys()).isEqualTo(1);
    assertThat(verified.passed()).as("a line of the log is missing from the model").isFalse();
    assertThat(ReadModel.logBalances(verified)).isEqualTo(Map.of(alice, 200L));

    List<Outcome> requests = List.of(
        new Outcome("r1", Kind.OPEN, alice, 0, "no fault", State.ACCEPTED, new Answer(201, 1, "t1", null, 1)),
        new Outcome("r2", Kind.DEPOSIT, alice, 100, "no fault", State.ACCEPTED, new Answer(200, 2, "t2", null, 2)));
    Invariants.Report report = Invariants.check(new Invariants.Observations(
        List.of(new Invariants.Phase("no fault", 0, new Traffic.PhaseStats(), null)), requests, log, model, behind,
        new Invariants.FoldComparison(verified.passed(), Math.toIntExact(verified.differingRows()), verified.details()),
        ReadModel.logBalances(verified), Map.of(alice, 200L), List.of()));

    assertThat(report.passed()).isFalse();
    assertThat(report.verdicts().get(0).violations()).contains("duplicated: 1 (r2 x2)",
        "acknowledged but not in the read model: 1 (r2)");
    assertThat(report.verdicts().get(1).violations()).contains(
        "records that are not account events: 1 (" + partition + "@" + (lastOffset + 1) + ")");
    assertThat(report.verdicts().get(2).violations()).hasSize(3)
        .anySatisfy(v -> assertThat(v).startsWith("has not applied the whole log"))
        .anySatisfy(v -> assertThat(v).startsWith("differs from the fold of the log").contains("transactions: model 1 rows"))
        .anySatisfy(v -> assertThat(v).startsWith("1 parked keys: " + alice));
    assertThat(report.verdicts().get(3).violations()).anySatisfy(v -> assertThat(v).contains(alice + " 200 instead of 100"));
  }

  /** The event as the writer would append it for the request {@code id}: its correlation id is the request's. */
  private static SpecificRecord correlated(SpecificRecord event, String id) {
    EventMetadata metadata = EventMetadata.newBuilder((EventMetadata) event.get(0)).setCorrelationId(id).build();
    return switch (event) {
      case AccountOpened opened -> AccountOpened.newBuilder(opened).setMetadata(metadata).build();
      case MoneyDeposited deposited -> MoneyDeposited.newBuilder(deposited).setMetadata(metadata).setReference(id).build();
      default -> throw new IllegalArgumentException(event.toString());
    };
  }

  private void execute(String... statements) throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }
}
