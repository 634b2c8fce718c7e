package dev.tally.cli;

import static dev.tally.testing.AccountEvents.deposited;
import static dev.tally.testing.AccountEvents.opened;
import static dev.tally.testing.AccountEvents.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.ledger.Ledger;
import dev.tally.runtime.core.Slice;
import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.projection.ProjectionBatch;
import dev.tally.runtime.projection.ToyProjection;
import dev.tally.testing.TestInfrastructure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code rebuild} and {@code as-of} serve every registered projection, each through its own view
 * and relations: here the ledger's and a toy's, on topics of their own, registered side by side.
 * This test fills the new generation in the projector's place, through each projection's own batch.
 */
class EveryProjectionTest {

  private static final String READER = "tally_reader";
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);

  private final List<Slice> slices = new ArrayList<>(Ledger.SLICES);
  private final String alice = UUID.randomUUID().toString();
  private final UUID toy = UUID.randomUUID();
  /** What each projection's topic holds: the records, and where its last one is. */
  private final Map<Projection<?>, Written> written = new LinkedHashMap<>();

  private TestInfrastructure.Database database;
  private Generations generations;
  private String accountTopic;
  private String toyTopic;

  private record Written(String topic, List<ProducerRecord<String, byte[]>> records, int partition, long lastOffset) {
  }

  @BeforeEach
  void aLedgerAndAToyProjectedUpToTheirLogs() throws Exception {
    slices.add(new Slice(ToyProjection.AGGREGATE_TYPE, List.of(ToyProjection.PROJECTION)));
    TestInfrastructure.ensureRole(READER);
    database = TestInfrastructure.newDatabase();
    generations = new Generations(database.dataSource(), READER, Projection.of(slices));
    List<String> topics = TestInfrastructure.createTopics(1, "every-accounts", "every-toys");
    accountTopic = topics.get(0);
    toyTopic = topics.get(1);
    Projection<?> accounts = Projection.of(Ledger.SLICES).getFirst();
    written.put(accounts, produce(accountTopic, List.of(record(accountTopic, opened(alice, "alice", "EUR", T0), T0),
        record(accountTopic, deposited(alice, 2, 100, 100, T0.plusSeconds(1)), T0.plusSeconds(1)))));
    written.put(ToyProjection.PROJECTION, produce(toyTopic, List.of(
        new ProducerRecord<>(toyTopic, null, T0.toEpochMilli(), toy.toString(), ToyProjection.record(1, UUID.randomUUID(), 7)),
        new ProducerRecord<>(toyTopic, null, T0.plusSeconds(1).toEpochMilli(), toy.toString(),
            ToyProjection.record(2, UUID.randomUUID(), 42)))));
    project(generations.bootstrap("projector").schema());
  }

  @Test
  void aRebuildVerifiesEveryProjection() throws Exception {
    CompletableFuture<Cli.Result> rebuild = CompletableFuture.supplyAsync(this::rebuild);
    project(building().schema());

    Cli.Result result = rebuild.get();

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("from the start of " + accountTopic + ", " + toyTopic)
        .containsPattern("verified against the log in [0-9.]+ s: 1 accounts, 1 account_transactions, 1 toys");
    assertThat(generations.all()).extracting(Generation::state)
        .containsExactly(Generation.State.RETIRED, Generation.State.LIVE);
    assertThat(database.column("SELECT value FROM tally_read.toys")).containsExactly("42");
  }

  @Test
  void aMismatchInTheToysTableIsNamedUnderTheToyProjectionAndSwitchesNothing() throws Exception {
    CompletableFuture<Cli.Result> rebuild = CompletableFuture.supplyAsync(this::rebuild);
    Generation next = building();
    project(next.schema());
    execute("UPDATE " + next.schema() + ".toys SET value = 41");

    Cli.Result result = rebuild.get();

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(RebuildCommand.VERIFICATION_FAILED);
    assertThat(result.err()).contains("generation 2 does not match the log; nothing was switched",
        "projection toys, toys: row differs: " + toy)
        .doesNotContain("projection accounts, accounts: row differs");
    assertThat(generations.all()).extracting(Generation::state)
        .containsExactly(Generation.State.LIVE, Generation.State.FAILED);
  }

  @Test
  void asOfCopiesEveryProjection() throws SQLException {
    String schema = "tally_asof_every_" + UUID.randomUUID().toString().substring(0, 8);

    Cli.Result result = Cli.runWith(slices, "as-of", T0.plusSeconds(5).toString(), "--schema", schema,
        "--topic", "account=" + accountTopic, "--topic", "toy=" + toyTopic, "--database-url", database.jdbcUrl(),
        "--database-user", database.user(), "--database-password", database.password());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("1 accounts, 1 account_transactions, 1 toys", "2 events of " + accountTopic,
        "2 events of " + toyTopic);
    assertThat(database.column("SELECT balance FROM " + schema + ".accounts")).containsExactly("100");
    assertThat(database.column("SELECT value || ' ' || version FROM " + schema + ".toys")).containsExactly("42 2");
    assertThat(database.column("SELECT projection FROM " + schema + ".projection_checkpoints ORDER BY projection"))
        .containsExactly("accounts", "toys");
  }

  @Test
  void aBareTopicIsRefusedWhenSeveralAggregateTypesAreProjected() {
    Cli.Result result = Cli.runWith(slices, "rebuild", "--topic", accountTopic, "--database-url", database.jdbcUrl(),
        "--database-user", database.user(), "--database-password", database.password());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(TallyCli.USAGE);
    assertThat(result.err()).contains("--topic " + accountTopic + ": name the aggregate type, one of [account, toy]");
    assertThat(generations.all()).hasSize(1);
  }

  private Cli.Result rebuild() {
    return Cli.runWith(slices, "rebuild", "--topic", "account=" + accountTopic, "--topic", "toy=" + toyTopic,
        "--progress-interval", "PT0.1S", "--database-url", database.jdbcUrl(), "--database-user", database.user(),
        "--database-password", database.password());
  }

  private static Written produce(String topic, List<ProducerRecord<String, byte[]>> records) throws Exception {
    RecordMetadata last = null;
    try (var producer = Groups.producer()) {
      for (ProducerRecord<String, byte[]> record : records) {
        last = producer.send(record).get();
      }
    }
    return new Written(topic, records, last.partition(), last.offset());
  }

  private Generation building() {
    return await().atMost(Duration.ofSeconds(30)).until(() -> generations.all().stream()
        .filter(generation -> generation.state() == Generation.State.BUILDING).findFirst(), Optional::isPresent)
        .orElseThrow();
  }

  /** What the projector writes for every projection's records: its batch, and its checkpoint. */
  private void project(String schema) throws SQLException {
    for (Map.Entry<Projection<?>, Written> projection : written.entrySet()) {
      write(schema, projection.getKey(), projection.getValue());
    }
  }

  private <E> void write(String schema, Projection<E> projection, Written written) throws SQLException {
    ProjectionBatch<E> batch = projection.newBatch();
    written.records().forEach(record -> batch.add(projection.read(record.key(), record.value())));
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      statement.execute("SET search_path TO " + schema);
      batch.write(connection);
      statement.execute("INSERT INTO projection_checkpoints VALUES ('" + projection.name() + "', '" + written.topic()
          + "', " + written.partition() + ", " + written.lastOffset() + ", now(), now())");
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
