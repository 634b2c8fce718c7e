package dev.tally.cli;

import dev.tally.runtime.projection.Projection;
import dev.tally.ledger.Ledger;
import static dev.tally.testing.AccountEvents.deposited;
import static dev.tally.testing.AccountEvents.opened;
import static dev.tally.testing.AccountEvents.record;
import static dev.tally.testing.AccountEvents.withdrawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import dev.tally.testing.TestInfrastructure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally rebuild} against a real log and a real database, with this test in the projector's
 * place: it fills the new generation itself, rightly or wrongly, so that verification and the
 * switch can be checked row by row. (The whole thing with the real projector and query API runs in
 * the launcher's {@code LocalStackIT}.)
 */
class RebuildCommandTest {

  private static final String READER = "tally_reader";
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);

  private final String alice = UUID.randomUUID().toString();
  private final List<SpecificRecord> events = List.of(
      opened(alice, "alice", "EUR", T0),
      deposited(alice, 2, 100, 100, T0.plusSeconds(1)),
      withdrawn(alice, 3, 30, 70, T0.plusSeconds(2)));

  private String topic;
  private TestInfrastructure.Database database;
  private Generations generations;
  private int partition;
  private long lastOffset;

  @BeforeEach
  void liveGenerationUpToDateWithTheLog() throws Exception {
    TestInfrastructure.ensureRole(READER);
    database = TestInfrastructure.newDatabase();
    generations = new Generations(database.dataSource(), READER, Projection.of(Ledger.SLICES));
    topic = TestInfrastructure.createTopics(2, "rebuild").getFirst();
    try (var producer = Groups.producer()) {
      for (SpecificRecord event : events) {
        RecordMetadata written = producer.send(record(topic, event)).get();
        partition = written.partition();
        lastOffset = written.offset();
      }
    }
    Generation live = generations.bootstrap("projector");
    project(live.schema(), 0);
  }

  @Test
  void aGenerationThatMatchesTheLogIsSwitchedToAndTheOldOneRetired() throws Exception {
    CompletableFuture<Cli.Result> rebuild = CompletableFuture.supplyAsync(() -> rebuild());
    Generation next = building();
    project(next.schema(), 0);

    Cli.Result result = rebuild.get();

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("generation 2: building schema tally_read_g2", "events/s", "ETA",
        "switched: readers now see generation 2", "retired generation 1: schema tally_read_g1 dropped")
        .containsPattern("verified against the log in [0-9.]+ s: 1 accounts, 2 account_transactions");
    assertThat(generations.all()).extracting(Generation::state)
        .containsExactly(Generation.State.RETIRED, Generation.State.LIVE);
    assertThat(rows("SELECT balance FROM tally_read.accounts")).containsExactly("70");
    assertThat(rows("SELECT count(*) FROM pg_namespace WHERE nspname = 'tally_read_g1'")).containsExactly("0");
  }

  @Test
  void aMismatchSwitchesNothingAndDropsTheNewGeneration() throws Exception {
    CompletableFuture<Cli.Result> rebuild = CompletableFuture.supplyAsync(() -> rebuild());
    Generation next = building();
    project(next.schema(), 1);

    Cli.Result result = rebuild.get();

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(RebuildCommand.VERIFICATION_FAILED);
    assertThat(result.err()).contains("generation 2 does not match the log; nothing was switched",
        "projection accounts, accounts: row differs: " + alice);
    assertThat(result.out()).doesNotContain("switched");
    assertThat(generations.all()).extracting(Generation::state)
        .containsExactly(Generation.State.LIVE, Generation.State.FAILED);
    assertThat(rows("SELECT balance FROM tally_read.accounts")).as("readers still see generation 1").containsExactly("70");
    assertThat(rows("SELECT count(*) FROM pg_namespace WHERE nspname = 'tally_read_g2'")).containsExactly("0");
  }

  @Test
  void aBuildThatMakesNoProgressIsAbandonedWithoutSwitching() throws SQLException {
    Cli.Result result = rebuild("--stall-timeout", "PT1S");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(TallyCli.FAILED);
    assertThat(result.err()).contains("generation 2 made no progress for 1 s: is a projector running",
        "nothing was switched");
    assertThat(generations.all()).extracting(Generation::state)
        .containsExactly(Generation.State.LIVE, Generation.State.FAILED);
    assertThat(rows("SELECT balance FROM tally_read.accounts")).containsExactly("70");
  }

  @Test
  void anUnfinishedRebuildIsRefusedUntilAbandoned() throws SQLException {
    generations.startBuilding();

    Cli.Result refused = rebuild();
    assertThat(refused.exitCode()).isEqualTo(TallyCli.FAILED);
    assertThat(refused.err()).contains("generation 2 is already being built", "tally rebuild --abandon");

    Cli.Result abandoned = rebuild("--abandon");
    assertThat(abandoned.exitCode()).as(abandoned.toString()).isZero();
    assertThat(abandoned.out()).contains("abandoned generation 2: schema tally_read_g2 dropped");
    assertThat(generations.all()).extracting(Generation::state)
        .containsExactly(Generation.State.LIVE, Generation.State.FAILED);
    assertThat(rebuild("--abandon").err()).contains("no rebuild to abandon");
  }

  /**
   * A rebuild killed between its switch and the end of the retirement (here: while it waits for the
   * old generation's group to empty) leaves that generation RETIRING with its schema; the next
   * rebuild finishes retiring it before it builds.
   */
  @Test
  void theNextRebuildFinishesARetirementThatAKilledRebuildLeft(@TempDir Path work) throws Exception {
    Process killed;
    Path out = work.resolve("out.txt");
    try (var oldApplication = Groups.consumer("projector")) {
      oldApplication.subscribe(List.of(topic));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        oldApplication.poll(Duration.ofMillis(100));
        return !oldApplication.assignment().isEmpty();
      });
      killed = childCli(out, "rebuild", "--topic", topic, "--switch-timeout", "PT60S", "--bootstrap-servers",
          TestInfrastructure.kafkaBootstrapServers(), "--database-url", database.jdbcUrl(), "--database-user",
          database.user(), "--database-password", database.password());
      Generation second = building();
      project(second.schema(), 0);
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        oldApplication.poll(Duration.ofMillis(100));
        return Files.readString(out).contains("switched: readers now see generation 2");
      });
      killed.destroyForcibly().waitFor();
    }
    assertThat(generations.all()).as(Files.readString(out)).extracting(Generation::state)
        .containsExactly(Generation.State.RETIRING, Generation.State.LIVE);
    assertThat(rows("SELECT count(*) FROM pg_namespace WHERE nspname = 'tally_read_g1'")).as("orphaned")
        .containsExactly("1");

    CompletableFuture<Cli.Result> rebuild = CompletableFuture.supplyAsync(() -> rebuild());
    Generation third = building();
    project(third.schema(), 0);
    Cli.Result result = rebuild.get();

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("generation 1 was left RETIRING by an interrupted rebuild",
        "retired generation 1: schema tally_read_g1 dropped", "retired generation 2: schema tally_read_g2 dropped");
    assertThat(generations.all()).extracting(Generation::state)
        .containsExactly(Generation.State.RETIRED, Generation.State.RETIRED, Generation.State.LIVE);
    assertThat(rows("SELECT count(*) FROM pg_namespace WHERE nspname IN ('tally_read_g1', 'tally_read_g2')"))
        .containsExactly("0");
    assertThat(rows("SELECT balance FROM tally_read.accounts")).containsExactly("70");
  }

  @Test
  void abandonFinishesARetirementLeftUnfinished() throws Exception {
    Generation next = generations.startBuilding();
    project(next.schema(), 0);
    generations.switchTo(next, Duration.ofSeconds(10));

    Cli.Result result = rebuild("--abandon");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("retired generation 1: schema tally_read_g1 dropped");
    assertThat(generations.all()).extracting(Generation::state)
        .containsExactly(Generation.State.RETIRED, Generation.State.LIVE);
  }

  /** {@code tally ARGS} in a JVM of its own (this test's classpath), its stdout and stderr into {@code out}. */
  private static Process childCli(Path out, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), TallyCli.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  @Test
  void badInputIsRefusedWithOneLine() {
    assertRefused(rebuild("--stall-timeout", "soon"), "--stall-timeout soon is not an ISO-8601 duration");
    assertRefused(Cli.run("rebuild", "--topic", "no-such-topic", "--database-url", database.jdbcUrl(),
        "--database-user", database.user(), "--database-password", database.password()), "no topic no-such-topic");
    assertRefused(Cli.run("rebuild", "--topic", topic, "--database-url", "jdbc:postgresql://127.0.0.1:1/tally"),
        "cannot connect to PostgreSQL");
    TestInfrastructure.Database empty = TestInfrastructure.newDatabase();
    assertRefused(Cli.run("rebuild", "--topic", topic, "--database-url", empty.jdbcUrl(), "--database-user",
        empty.user(), "--database-password", empty.password()), "no read model in " + empty.jdbcUrl() + " yet");
    assertThat(generations.all()).hasSize(1);
  }

  private static void assertRefused(Cli.Result result, String message) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(TallyCli.FAILED);
    assertThat(result.err()).startsWith("tally rebuild: ").contains(message);
    assertThat(result.err().strip().lines()).as("one line").hasSize(1);
  }

  private Cli.Result rebuild(String... more) {
    List<String> args = new ArrayList<>(List.of("rebuild", "--topic", topic, "--progress-interval", "PT0.1S",
        "--database-url", database.jdbcUrl(), "--database-user", database.user(), "--database-password",
        database.password()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private Generation building() {
    return await().atMost(Duration.ofSeconds(30)).until(() -> generations.all().stream()
        .filter(generation -> generation.state() == Generation.State.BUILDING).findFirst(), Optional::isPresent)
        .orElseThrow();
  }

  /** Writes what the projector would for the three events, with {@code error} added to the balance. */
  private void project(String schema, long error) throws SQLException {
    EventMetadata first = (EventMetadata) events.get(0).get(0);
    execute("INSERT INTO " + schema + ".accounts VALUES ('" + alice + "', 'alice', 'EUR', " + (70 + error)
        + ", 'OPEN', 3, '" + first.getOccurredAt() + "', '" + T0.plusSeconds(2) + "')");
    for (SpecificRecord event : events.subList(1, 3)) {
      EventMetadata metadata = (EventMetadata) event.get(0);
      String line = switch (event) {
        case MoneyDeposited d -> "'DEPOSIT', " + d.getAmount() + ", " + d.getBalanceAfter() + ", '" + d.getReference();
        case MoneyWithdrawn w -> "'WITHDRAWAL', " + w.getAmount() + ", " + w.getBalanceAfter() + ", '" + w.getReference();
        default -> throw new IllegalArgumentException(event.toString());
      };
      execute("INSERT INTO " + schema + ".account_transactions VALUES ('" + alice + "', " + metadata.getAggregateVersion()
          + ", " + line + "', '" + metadata.getOccurredAt() + "', '" + metadata.getEventId() + "')");
    }
    execute("INSERT INTO " + schema + ".projection_checkpoints VALUES ('accounts', '" + topic + "', " + partition + ", "
        + lastOffset + ", now(), now())");
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private List<String> rows(String sql) throws SQLException {
    return database.column(sql);
  }
}
