package dev.tally.runtime.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.testing.TestInfrastructure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Generations of the read model on a real PostgreSQL: bootstrap, build, switch, fail, retire. */
class GenerationsTest {

  private static final String READER = "tally_reader";
  private static final String TOPIC = "events";

  private TestInfrastructure.Database database;
  private Generations generations;

  @BeforeEach
  void database() {
    TestInfrastructure.ensureRole(READER);
    database = TestInfrastructure.newDatabase();
    generations = new Generations(database.dataSource(), READER, List.of(ToyProjection.PROJECTION));
  }

  @Test
  void aGenerationMovesToANewApplicationOnceEvenWhenTwoProcessesMoveItAtOnce() {
    Generation live = generations.bootstrap("projector");
    List<String> prepared = new ArrayList<>();

    Generation moved = generations.reassign(live, Generations.nextApplicationId(live.applicationId()), prepared::add);
    Generation again = generations.reassign(live, "projector-r9", prepared::add);

    assertThat(moved).isEqualTo(new Generation(1, "tally_read_g1", "projector-r1", Generation.State.LIVE));
    assertThat(again).as("the second found it moved and changed nothing").isEqualTo(moved);
    assertThat(prepared).containsExactly("projector-r1");
    assertThat(generations.live()).contains(moved);
    assertThat(Generations.nextApplicationId("projector-r1")).isEqualTo("projector-r2");
    assertThat(generations.startBuilding().applicationId()).as("a rebuild's id starts from the base")
        .isEqualTo("projector-g2");
  }

  @Test
  void bootstrapCreatesOneLiveGenerationOnceEvenWhenProcessesRace() throws Exception {
    assertThat(generations.live()).isEmpty();
    assertThat(generations.all()).isEmpty();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Generation>> results = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        results.add(pool.submit((Callable<Generation>) () -> generations.bootstrap("projector")));
      }
      for (Future<Generation> result : results) {
        assertThat(result.get()).isEqualTo(new Generation(1, "tally_read_g1", "projector", Generation.State.LIVE));
      }
    } finally {
      pool.shutdown();
    }
    assertThat(generations.all()).hasSize(1);
    UUID toy = toy("tally_read_g1", 7);
    assertThat(readerSees(toy)).isEqualTo(7);
  }

  @Test
  void aBuildIsInvisibleUntilTheSwitchWhichHappensOnlyOnceItHasCaughtUp() throws Exception {
    generations.bootstrap("projector");
    UUID toy = toy("tally_read_g1", 100);
    checkpoint("tally_read_g1", 0, 10);

    Generation next = generations.startBuilding();
    assertThat(next).isEqualTo(new Generation(2, "tally_read_g2", "projector-g2", Generation.State.BUILDING));
    assertThatThrownBy(generations::startBuilding).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("generation 2 is already being built");
    assertThat(generations.projected()).extracting(Generation::number).containsExactly(1, 2);
    update("INSERT INTO tally_read_g2.toys SELECT * FROM tally_read_g1.toys");
    update("UPDATE tally_read_g2.toys SET value = 101");
    checkpoint("tally_read_g2", 0, 9);

    assertThatThrownBy(() -> generations.switchTo(next, Duration.ofMillis(300)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("did not catch up");
    assertThat(readerSees(toy)).as("still the live generation").isEqualTo(100);
    assertThat(generations.live()).map(Generation::number).contains(1);

    checkpoint("tally_read_g2", 0, 10);
    Generation switched = generations.switchTo(next, Duration.ofSeconds(5));
    assertThat(switched.state()).isEqualTo(Generation.State.LIVE);
    assertThat(readerSees(toy)).isEqualTo(101);
    assertThat(generations.all()).extracting(Generation::state)
        .containsExactly(Generation.State.RETIRING, Generation.State.LIVE);
    assertThat(generations.projected()).extracting(Generation::number).containsExactly(2);

    Generation old = generations.all().getFirst();
    generations.retire(old);
    assertThat(schemaExists("tally_read_g1")).isFalse();
    assertThat(generations.all().getFirst().state()).isEqualTo(Generation.State.RETIRED);
    assertThat(readerSees(toy)).isEqualTo(101);
    assertThat(generations.startBuilding().applicationId()).as("numbered from the base id").isEqualTo("projector-g3");
  }

  @Test
  void aFailedBuildIsDroppedAndReadersNeverSawIt() throws Exception {
    generations.bootstrap("projector");
    UUID toy = toy("tally_read_g1", 5);
    Generation next = generations.startBuilding();

    generations.fail(next, "verification failed");

    assertThat(schemaExists(next.schema())).isFalse();
    assertThat(generations.all()).extracting(Generation::state)
        .containsExactly(Generation.State.LIVE, Generation.State.FAILED);
    assertThat(readerSees(toy)).isEqualTo(5);
    assertThatThrownBy(() -> generations.switchTo(next, Duration.ofMillis(100)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not being built");
    assertThatThrownBy(() -> generations.retire(generations.live().orElseThrow()))
        .as("the live generation is never dropped").isInstanceOf(IllegalStateException.class);
    assertThat(readerSees(toy)).isEqualTo(5);
  }

  /** A row of tally_control is data: its schema name goes into SQL only once it is the one the row's number names. */
  @ParameterizedTest
  @ValueSource(strings = {"tally_control", "tally_read", "tally_read_g2; DROP SCHEMA tally_read CASCADE; --",
      "tally_read_g3"})
  void aForgedSchemaNameIsRefusedBeforeItReachesSql(String forged) throws Exception {
    generations.bootstrap("projector");
    UUID toy = toy("tally_read_g1", 9);
    Generation next = generations.startBuilding();
    update("UPDATE tally_control.generations SET schema_name = '" + forged.replace("'", "''") + "' WHERE generation = 2");

    assertThatThrownBy(generations::all).hasMessageContaining("generation 2 names schema").hasMessageContaining("tally_read_g2");
    assertThatThrownBy(() -> generations.fail(next, "forged")).hasMessageContaining("generation 2 names schema");
    assertThatThrownBy(() -> generations.switchTo(next, Duration.ofMillis(100)))
        .hasMessageContaining("generation 2 names schema");

    assertThat(schemaExists("tally_control")).isTrue();
    assertThat(schemaExists("tally_read_g1")).isTrue();
    assertThat(readerSees(toy)).as("the serving views are untouched").isEqualTo(9);
  }

  /** The query API's role reads the serving views; a generation's own tables and the control table are not for it. */
  @Test
  void theReaderReadsTheServingViewsAndNothingElse() throws Exception {
    generations.bootstrap("projector");
    UUID toy = toy("tally_read_g1", 3);
    generations.startBuilding();

    assertThat(readerSees(toy)).isEqualTo(3);
    for (String relation : List.of("tally_read_g1.toys", "tally_read_g2.toys", "tally_read_g1.projection_checkpoints",
        "tally_control.generations")) {
      try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), READER, READER);
           Statement statement = connection.createStatement()) {
        assertThatThrownBy(() -> statement.executeQuery("SELECT count(*) FROM " + relation)).as(relation)
            .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
      }
    }
  }

  @Test
  void nothingCanBeBuiltBeforeABootstrap() {
    assertThatThrownBy(generations::startBuilding).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no live generation");
  }

  private UUID toy(String schema, long balance) throws SQLException {
    UUID id = UUID.randomUUID();
    update("INSERT INTO " + schema + ".toys (toy_id, value, version) VALUES ('" + id + "', " + balance + ", 1)");
    return id;
  }

  private void checkpoint(String schema, int partition, long offset) throws SQLException {
    update("INSERT INTO " + schema + ".projection_checkpoints VALUES ('toys', '" + TOPIC + "', " + partition + ", "
        + offset + ", now(), now()) ON CONFLICT (projection, topic, partition) DO UPDATE SET applied_offset = " + offset);
  }

  /** The value the query API's role reads through the serving views. */
  private long readerSees(UUID toy) throws SQLException {
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), READER, READER)) {
      connection.setSchema(ReadModelSchemas.SERVING);
      try (Statement statement = connection.createStatement();
           ResultSet rows = statement.executeQuery("SELECT value FROM toys WHERE toy_id = '" + toy + "'")) {
        assertThat(rows.next()).as("toy visible").isTrue();
        return rows.getLong(1);
      }
    }
  }

  private boolean schemaExists(String schema) throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT 1 FROM pg_namespace WHERE nspname = '" + schema + "'")) {
      return rows.next();
    }
  }

  private void update(String sql) throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
