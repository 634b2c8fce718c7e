package dev.tally.cli;

import dev.tally.runtime.projection.Projection;
import dev.tally.ledger.Ledger;
import static dev.tally.testing.AccountEvents.deposited;
import static dev.tally.testing.AccountEvents.opened;
import static dev.tally.testing.AccountEvents.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.account.projection.AccountProjection;
import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.testing.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code tally dead-letters} against a real log and database, with a projection of the live
 * generation running as the projector runs it: first with an older build's code that refuses some
 * events (which it parks), then re-driven with this build's.
 */
class DeadLettersCommandTest {

  private static final String READER = "tally_reader";
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);

  private String topic;
  private String deadLetters;
  private TestInfrastructure.Database database;
  private DataSource db;
  private Generations generations;
  private Generation live;
  private RunningProjection projector;

  @BeforeEach
  void liveGenerationProjectedByAnOlderBuild() {
    TestInfrastructure.ensureRole(READER);
    List<String> topics = TestInfrastructure.createTopics(1, "dl-events", "dl-dead-letters");
    topic = topics.get(0);
    deadLetters = topics.get(1);
    database = TestInfrastructure.newDatabase();
    db = database.dataSource();
    generations = new Generations(db, READER, Projection.of(Ledger.SLICES));
    live = generations.bootstrap(TestInfrastructure.uniqueName("dl-projector"));
    projector = new RunningProjection(RunningProjection.refusing(AccountProjection.PROJECTION, "boom"), live, db, topic,
        deadLetters);
  }

  @AfterEach
  void stopProjector() {
    projector.close();
  }

  @Test
  void aParkedKeyIsListedShownAndReDrivenInOrderThroughThisBuildsCode() throws Exception {
    String alice = UUID.randomUUID().toString();
    String bob = UUID.randomUUID().toString();
    append(opened(alice, "alice", "EUR", T0), boom(alice, 2, 10, 10), deposited(alice, 3, 5, 15, T0.plusSeconds(3)),
        opened(bob, "bob", "EUR", T0), deposited(bob, 2, 7, 7, T0.plusSeconds(2)));
    awaitRow(bob, "7 2");
    awaitParked(alice);
    assertThat(row(alice)).isEqualTo("0 1");

    Cli.Result list = run("list");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    assertThat(list.out()).contains("generation 1 (tally_read_g1, LIVE): 1 parked key(s)", alice, "invalid",
        "this build refuses 'boom'");

    Cli.Result show = run("show", alice);
    assertThat(show.exitCode()).as(show.toString()).isZero();
    assertThat(show.out()).contains("Reason: invalid: RejectedRecordException: this build refuses 'boom'",
        "header tally.type = account.deposited", "A re-drive would apply them");
    assertThat(show.out().lines().filter(line -> line.contains("  Deposited  apply")).toList()).hasSize(2);

    Cli.Result dryRun = run("redrive", alice);
    assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
    assertThat(dryRun.out()).contains("Dry run: plan to re-drive key " + alice, "Dry run: nothing changed");
    assertThat(row(alice)).as("a dry run changes nothing").isEqualTo("0 1");
    assertThat(parked()).containsExactly(alice);

    Cli.Result executed = run("redrive", alice, "--execute");
    assertThat(executed.exitCode()).as(executed.toString()).isZero();
    assertThat(executed.out()).contains("re-drove key " + alice, "applied 2 event(s)", "the key is live again");
    assertThat(row(alice)).isEqualTo("15 3");
    assertThat(rows("SELECT version || ' ' || amount FROM tally_read_g1.account_transactions WHERE account_id = '"
        + alice + "' ORDER BY version")).containsExactly("2 10", "3 5");
    assertThat(parked()).isEmpty();
    assertThat(rows("SELECT action || ' ' || record_key || ' ' || applied FROM tally_control.dead_letter_actions"))
        .containsExactly("redrive " + alice + " 2");

    // Live again: its next event is applied by the running projector, which held it back until it saw the key re-driven.
    append(deposited(alice, 4, 1, 16, T0.plusSeconds(4)));
    awaitRow(alice, "16 4");
    assertTheReadModelIsTheFoldOfTheLog(live);
  }

  @Test
  void aSkippedRecordIsPassedOverWithItsReasonAndEveryRebuildHonoursIt() throws Exception {
    String carol = UUID.randomUUID().toString();
    append(opened(carol, "carol", "EUR", T0));
    try (var producer = Groups.producer()) {
      producer.send(new ProducerRecord<>(topic, carol, "garbage from a test tool".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    append(deposited(carol, 2, 30, 30, T0.plusSeconds(2)));
    awaitParked(carol);

    Cli.Result dryRun = run("skip", carol, "--reason", "written by a broken test tool");
    assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
    assertThat(dryRun.out()).contains("skipped now", "Dry run: nothing changed");
    assertThat(rows("SELECT count(*) FROM tally_control.skipped_records")).containsExactly("0");

    Cli.Result executed = run("skip", carol, "--reason", "written by a broken test tool", "--execute");
    assertThat(executed.exitCode()).as(executed.toString()).isZero();
    assertThat(row(carol)).isEqualTo("30 2");
    assertThat(parked()).isEmpty();
    assertThat(rows("SELECT record_offset || ' ' || reason FROM tally_control.skipped_records"))
        .containsExactly("1 written by a broken test tool");
    assertThat(rows("SELECT action || ' ' || note FROM tally_control.dead_letter_actions"))
        .containsExactly("skip written by a broken test tool");
    assertTheReadModelIsTheFoldOfTheLog(live);

    // A rebuild's projector passes over the skipped record too, and its verification agrees. (The live
    // generation's projector stops first, so that the rebuild can retire it at once.)
    projector.close();
    CompletableFuture<Cli.Result> rebuild = CompletableFuture.supplyAsync(() -> Cli.run("rebuild", "--topic", topic,
        "--progress-interval", "PT0.2S", "--database-url", database.jdbcUrl(), "--database-user", database.user(),
        "--database-password", database.password()));
    Generation next = await().atMost(Duration.ofSeconds(30)).until(() -> generations.all().stream()
        .filter(generation -> generation.state() == Generation.State.BUILDING).findFirst(), Optional::isPresent)
        .orElseThrow();
    try (RunningProjection building = new RunningProjection(AccountProjection.PROJECTION, next, db, topic, deadLetters)) {
      Cli.Result rebuilt = rebuild.get();
      assertThat(rebuilt.exitCode()).as(rebuilt.toString()).isZero();
    }
    assertThat(rows("SELECT balance FROM tally_read.accounts WHERE account_id = '" + carol + "'")).containsExactly("30");
  }

  @Test
  void unsafeCasesAreRefusedAndChangeNothing() throws Exception {
    String dave = UUID.randomUUID().toString();
    String erin = UUID.randomUUID().toString();
    append(opened(dave, "dave", "EUR", T0), boom(dave, 2, 10, 10), deposited(dave, 3, 5, 15, T0.plusSeconds(3)),
        opened(erin, "er\0in", "EUR", T0), deposited(erin, 2, 1, 1, T0.plusSeconds(2)));
    awaitParked(dave);
    awaitParked(erin);

    assertRefused(run("redrive", UUID.randomUUID().toString()), "is not parked in generation 1");
    assertRefused(run("redrive", erin, "--execute"), "still fails with this build: invalid: owner contains a NUL");
    assertRefused(run("skip", dave, "--reason", "not needed", "--execute"), "gap: version 3");
    assertRefused(run("skip", dave, "--reason", "wrong offset", "--offset", "0"), "offset 0 is not a record of key");
    assertRefused(run("redrive", dave, "--generation", "7"), "there is no generation 7");
    Generation failed = generations.startBuilding();
    generations.fail(failed, "a test");
    assertRefused(run("redrive", dave, "--generation", "2"), "generation 2 is FAILED");

    assertThat(parked()).containsExactlyInAnyOrder(dave, erin);
    assertThat(row(dave)).isEqualTo("0 1");
    assertThat(rows("SELECT count(*) FROM tally_control.skipped_records")).containsExactly("0");
    assertThat(rows("SELECT count(*) FROM tally_control.dead_letter_actions")).containsExactly("0");
    assertThat(Cli.runRaw("dead-letters").exitCode()).as("a subcommand is required").isEqualTo(2);
  }

  private static MoneyDeposited boom(String account, long version, long amount, long balanceAfter) {
    return MoneyDeposited.newBuilder(deposited(account, version, amount, balanceAfter, T0.plusSeconds(version)))
        .setReference("boom").build();
  }

  private void append(SpecificRecord... events) throws Exception {
    try (var producer = Groups.producer()) {
      for (SpecificRecord event : events) {
        producer.send(record(topic, event)).get();
      }
    }
  }

  private Cli.Result run(String... args) {
    List<String> all = new ArrayList<>(List.of("dead-letters"));
    all.addAll(List.of(args));
    all.addAll(List.of("--topic", topic, "--database-url", database.jdbcUrl(), "--database-user", database.user(),
        "--database-password", database.password()));
    return Cli.run(all.toArray(String[]::new));
  }

  private static void assertRefused(Cli.Result result, String message) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(TallyCli.FAILED);
    assertThat(result.err()).startsWith("tally dead-letters ").contains(message);
    assertThat(result.err().strip().lines()).as("one line").hasSize(1);
  }

  private void awaitRow(String account, String balanceAndVersion) {
    await().atMost(Duration.ofSeconds(60)).until(() -> balanceAndVersion.equals(row(account)));
  }

  private void awaitParked(String key) {
    await().atMost(Duration.ofSeconds(60)).until(() -> parked().contains(key));
  }

  private String row(String account) throws SQLException {
    return String.join(",", rows("SELECT balance || ' ' || version FROM tally_read_g1.accounts WHERE account_id = '"
        + account + "'"));
  }

  private List<String> parked() throws SQLException {
    return rows("SELECT record_key FROM tally_read_g1.parked_keys");
  }

  /** The live generation against a fold of the log up to its checkpoints, as tally rebuild verifies one. */
  private void assertTheReadModelIsTheFoldOfTheLog(Generation generation) {
    try (Kafka kafka = Kafka.connect(TestInfrastructure.kafkaBootstrapServers())) {
      ModelVerification.Result verified = ModelVerification.verify(kafka, db, generation.schema(),
          List.of(AccountProjection.PROJECTION), EventTopics.of(Map.of(AccountProjection.PROJECTION.sourceAggregateType(),
              topic)));
      assertThat(verified.passed()).as(String.join("\n", verified.details())).isTrue();
    }
  }

  private List<String> rows(String sql) throws SQLException {
    return database.column(sql);
  }
}
