package dev.tally.cli;

import static dev.tally.testing.AccountEvents.closed;
import static dev.tally.testing.AccountEvents.deposited;
import static dev.tally.testing.AccountEvents.opened;
import static dev.tally.testing.AccountEvents.record;
import static dev.tally.testing.AccountEvents.withdrawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code tally as-of}: the read model at an instant, from a real log into a real database. */
class AsOfCommandTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  /** The instant asked for: after minute 3 (which it includes, to the millisecond), before minute 4. */
  private static final Instant AT = T0.plusSeconds(180);
  private static final String READER = "tally_reader";
  private static final String ALICE = UUID.randomUUID().toString();
  private static final String BOB = UUID.randomUUID().toString();
  private static final String CAROL = UUID.randomUUID().toString();

  private static String topic;
  private static TestInfrastructure.Database database;

  @BeforeAll
  static void history() {
    TestInfrastructure.ensureRole(READER);
    database = TestInfrastructure.newDatabase();
    topic = TestInfrastructure.createTopics(3, "as-of").getFirst();
    List<Timed> events = List.of(
        at(0, opened(ALICE, "alice", "EUR", T0)),
        at(60, deposited(ALICE, 2, 100, 100, T0.plusSeconds(60))),
        at(60, opened(BOB, "bob", "USD", T0.plusSeconds(60))),
        at(120, withdrawn(ALICE, 3, 30, 70, T0.plusSeconds(120))),
        at(120, deposited(BOB, 2, 7, 7, T0.plusSeconds(120))),
        at(180, closed(BOB, 3, T0.plusSeconds(180))),
        // after the instant: none of these may show
        at(181, deposited(ALICE, 4, 1_000, 1_070, T0.plusSeconds(181))),
        at(240, opened(CAROL, "carol", "EUR", T0.plusSeconds(240))));
    try (var producer = Groups.producer()) {
      for (Timed event : events) {
        producer.send(record(topic, event.event(), event.at()));
      }
      producer.flush();
    }
  }

  /** An event and the timestamp of its record. */
  private record Timed(Instant at, SpecificRecord event) {
  }

  private static Timed at(long seconds, SpecificRecord event) {
    return new Timed(T0.plusSeconds(seconds), event);
  }

  @Test
  void materialisesTheBalancesOfTheEventsAtOrBeforeTheInstant() throws SQLException {
    Cli.Result result = asOf(AT.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    String schema = "tally_asof_20260301t100300z";
    assertThat(result.out()).contains("2 accounts, 3 account_transactions", schema, "--tally.query.schema=" + schema);
    // The command it prints to serve the copy works as printed: same database, the stack's token keys.
    assertThat(result.out()).contains("--spring.datasource.url=" + database.jdbcUrl(), "--tally.tokens.key-file=");
    // By hand: alice opened, +100, -30 = 70 at version 3; bob opened, +7, closed at version 3; carol not yet.
    assertThat(rows(schema, "SELECT owner || ' ' || currency || ' ' || balance || ' ' || status || ' ' || version "
        + "FROM %s.accounts ORDER BY owner")).containsExactly("alice EUR 70 OPEN 3", "bob USD 7 CLOSED 3");
    assertThat(rows(schema, "SELECT type || ' ' || amount || ' ' || balance_after FROM %s.account_transactions "
        + "WHERE account_id = '" + ALICE + "' ORDER BY version")).containsExactly("DEPOSIT 100 100", "WITHDRAWAL 30 70");
    assertThat(rows(schema, "SELECT count(*) FROM %s.projection_checkpoints")).containsExactly(
        String.valueOf(rows(schema, "SELECT DISTINCT partition FROM %s.projection_checkpoints").size()));
    try (Connection reader = DriverManager.getConnection(database.jdbcUrl(), READER, READER);
         Statement statement = reader.createStatement();
         ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + schema + ".accounts")) {
      rows.next();
      assertThat(rows.getInt(1)).as("the query API's role reads it").isEqualTo(2);
    }
  }

  @Test
  void anExistingSchemaIsRefusedUnlessReplaced() throws SQLException {
    String schema = "tally_asof_replace_me";
    assertThat(asOf(T0.plusSeconds(60).toString(), "--schema", schema).exitCode()).isZero();
    assertThat(rows(schema, "SELECT balance FROM %s.accounts ORDER BY balance")).containsExactly("0", "100");

    Cli.Result again = asOf(AT.toString(), "--schema", schema);
    assertThat(again.exitCode()).isEqualTo(TallyCli.FAILED);
    assertThat(again.err()).contains("schema " + schema + " already exists", "--replace");
    assertThat(rows(schema, "SELECT balance FROM %s.accounts ORDER BY balance")).as("untouched")
        .containsExactly("0", "100");

    Cli.Result replaced = asOf(AT.toString(), "--schema", schema, "--replace");
    assertThat(replaced.exitCode()).as(replaced.toString()).isZero();
    assertThat(rows(schema, "SELECT balance FROM %s.accounts ORDER BY balance")).containsExactly("7", "70");
  }

  /** A copy that leaves records out would be wrong: every such record is named, and nothing is created. */
  @Test
  void recordsThatCannotBeFoldedFailItNamingThemAndCreateNothing() throws SQLException {
    String poisoned = TestInfrastructure.createTopics(1, "as-of-poison").getFirst();
    try (var producer = Groups.producer()) {
      producer.send(record(poisoned, opened(ALICE, "alice", "EUR", T0), T0));
      producer.send(new ProducerRecord<>(poisoned, 0, T0.plusSeconds(1).toEpochMilli(), ALICE,
          "poison".getBytes(StandardCharsets.UTF_8)));
      producer.send(record(poisoned, ALICE, opened(BOB, "bob", "USD", T0), T0.plusSeconds(2)));
      producer.flush();
    }
    String schema = "tally_asof_poisoned";
    int before = asOfSchemas();

    Cli.Result result = asOfFrom(poisoned, schema);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(AsOfCommand.UNFOLDABLE);
    assertThat(result.err()).as(result.toString()).contains("2 records of " + poisoned + " cannot be folded",
        "nothing created", "record 0@1 cannot be folded: undecodable", "record 0@2 cannot be folded: not an event of account "
            + ALICE);
    assertThat(result.out()).doesNotContain(schema);
    assertThat(asOfSchemas()).isEqualTo(before);
  }

  /** The projection's fold checks each balance against the history: a copy would hold one the log contradicts. */
  @Test
  void aBalanceThatDoesNotFollowFromTheHistoryIsNamedAndCreatesNothing() throws SQLException {
    String inconsistent = TestInfrastructure.createTopics(1, "as-of-inconsistent").getFirst();
    try (var producer = Groups.producer()) {
      producer.send(record(inconsistent, opened(ALICE, "alice", "EUR", T0), T0));
      producer.send(record(inconsistent, deposited(ALICE, 2, 100, 999, T0.plusSeconds(1)), T0.plusSeconds(1)));
      producer.flush();
    }
    String schema = "tally_asof_inconsistent";
    int before = asOfSchemas();

    Cli.Result result = asOfFrom(inconsistent, schema);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(AsOfCommand.UNFOLDABLE);
    assertThat(result.err()).as(result.toString()).contains("1 records of " + inconsistent + " cannot be folded",
        "record 0@1 cannot be folded: inconsistent: version 2 of account " + ALICE
            + " says balance 999 after balance 0, not 100");
    assertThat(asOfSchemas()).isEqualTo(before);
  }

  @Test
  void badInputIsRefusedWithOneLineAndCreatesNothing() throws SQLException {
    int before = asOfSchemas();
    assertRefused(asOf("last tuesday"), "as-of last tuesday is not an ISO-8601 date-time");
    assertRefused(asOf("2999-01-01T00:00:00Z"), "is in the future");
    assertRefused(asOf(AT.toString(), "--schema", "public"), "must be a lower-case SQL name starting with tally_asof_");
    assertRefused(asOf(AT.toString(), "--schema", "tally_asof_x; DROP TABLE y"), "must be a lower-case SQL name");
    assertRefused(Cli.run("as-of", AT.toString(), "--topic", "no-such-topic", "--database-url", database.jdbcUrl(),
        "--database-user", database.user(), "--database-password", database.password()), "no topic no-such-topic");
    assertRefused(Cli.run("as-of", AT.toString(), "--topic", topic, "--database-url",
        "jdbc:postgresql://127.0.0.1:1/tally"), "cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/tally");
    assertRefused(Cli.runRaw("as-of", AT.toString(), "--topic", topic, "--bootstrap-servers", "127.0.0.1:1",
        "--database-url", database.jdbcUrl(), "--database-user", database.user(), "--database-password",
        database.password()), "127.0.0.1:1");
    assertThat(asOfSchemas()).isEqualTo(before);
  }

  private static void assertRefused(Cli.Result result, String message) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(TallyCli.FAILED);
    assertThat(result.err()).startsWith("tally as-of: ").contains(message);
    assertThat(result.err().strip().lines()).as("one line").hasSize(1);
  }

  /** {@code as-of} the instant, from another topic than the shared history's. */
  private static Cli.Result asOfFrom(String otherTopic, String schema) {
    return Cli.run("as-of", AT.toString(), "--schema", schema, "--topic", otherTopic, "--database-url",
        database.jdbcUrl(), "--database-user", database.user(), "--database-password", database.password());
  }

  private static Cli.Result asOf(String instant, String... more) {
    List<String> args = new ArrayList<>(List.of("as-of", instant, "--topic", topic, "--database-url",
        database.jdbcUrl(), "--database-user", database.user(), "--database-password", database.password()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private static int asOfSchemas() throws SQLException {
    return Integer.parseInt(rows("", "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tally_asof_%%'").getFirst());
  }

  private static List<String> rows(String schema, String sql) throws SQLException {
    return database.column(sql.formatted(schema));
  }
}
