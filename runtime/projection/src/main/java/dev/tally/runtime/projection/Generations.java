package dev.tally.runtime.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generations of the read model, recorded in {@code tally_control.generations}, and the moves
 * between them: bootstrap, start a build, switch readers, fail a build, retire the old one.
 *
 * <p>A switch is one transaction: it repoints every view of the serving schema at the new
 * generation, so a reader sees either the old model or the new one, whole. It only happens once
 * the new generation has applied, on every partition, at least what the live one has (checked under
 * a lock that holds the live one's writer still), so no reader ever sees the model go back in time.
 */
public final class Generations {

  private static final Logger log = LoggerFactory.getLogger(Generations.class);
  /** Serialises bootstraps and builds across every process sharing the database. */
  private static final long LOCK = 0x7a11_9e4e_0000_0001L;
  private static final String COLUMNS = "generation, schema_name, application_id, state";
  private static final Pattern REASSIGNED = Pattern.compile("^(.*)-r(\\d+)$");

  private final DataSource dataSource;
  private final String readerRole;
  private final List<? extends Projection<?>> projections;

  /** The generations of a read model filled by {@code projections}: each schema gets their tables. */
  public Generations(DataSource dataSource, String readerRole, List<? extends Projection<?>> projections) {
    this.dataSource = dataSource;
    this.readerRole = ReadModelSchemas.requireIdentifier(readerRole, "reader role");
    this.projections = List.copyOf(projections);
  }

  /**
   * Creates the control and serving schemas if needed and, when no generation is live, a first
   * one filled by {@code applicationId}, which readers then see. Safe to call from several
   * processes at once.
   */
  public Generation bootstrap(String applicationId) {
    ReadModelSchemas.migrateControl(dataSource, readerRole);
    return inTransaction(connection -> {
      lock(connection);
      // Readers read the serving views only, not the control table its first migration granted them.
      ReadModelSchemas.readThroughViewsOnly(connection, ReadModelSchemas.CONTROL, readerRole);
      Optional<Generation> live = live(connection);
      if (live.isPresent()) {
        return live.get();
      }
      int number = nextNumber(connection);
      Generation first = create(connection, number, number == 1 ? applicationId : applicationId + "-g" + number,
          Generation.State.LIVE);
      pointViewsAt(connection, first.schema());
      log.info("read model generation {} created in schema {} (application {}), served to readers",
          number, first.schema(), first.applicationId());
      return first;
    });
  }

  /** The generation readers see, if the read model is bootstrapped. */
  public Optional<Generation> live() {
    return inTransaction(Generations::live);
  }

  /** Every generation, oldest first. */
  public List<Generation> all() {
    return inTransaction(connection -> bootstrapped(connection)
        ? select(connection, "SELECT " + COLUMNS + " FROM tally_control.generations ORDER BY generation")
        : List.of());
  }

  /** The generations a projector must run: the live one and any being built. */
  public List<Generation> projected() {
    return all().stream().filter(generation -> generation.state().projected()).toList();
  }

  /**
   * Creates the next generation, empty, in state BUILDING: projectors start filling it from the
   * start of the log under a new application id.
   *
   * @throws IllegalStateException when nothing is live yet, or another generation is being built
   */
  public Generation startBuilding() {
    return inTransaction(connection -> {
      lock(connection);
      Generation live = live(connection).orElseThrow(() -> new IllegalStateException(
          "the read model has no live generation yet: start the projector once first"));
      for (Generation generation : select(connection,
          "SELECT " + COLUMNS + " FROM tally_control.generations WHERE state = 'BUILDING'")) {
        throw new IllegalStateException("generation " + generation.number() + " is already being built ("
            + generation.schema() + "); finish or abandon that rebuild first");
      }
      int number = nextNumber(connection);
      String base = live.applicationId().replaceFirst("(-g\\d+)?(-r\\d+)?$", "");
      return create(connection, number, base + "-g" + number, Generation.State.BUILDING);
    });
  }

  /**
   * Brings a generation's tables up to this build's migrations (a projector that starts projecting
   * a generation created by an older build).
   */
  public void migrate(Generation generation) {
    ReadModelSchemas.migrate(dataSource, generation.schema(), readerRole, projections);
  }

  /**
   * Moves a generation to another Kafka Streams application (a new consumer group), in one
   * transaction under the generations lock: {@code prepare} is given the new id first (it sets the
   * new group's offsets), then the row is updated. If the generation is no longer filled by
   * {@code generation.applicationId()} (another process moved it first), nothing is done. Returns the
   * generation as the table has it afterwards.
   */
  public Generation reassign(Generation generation, String applicationId, Consumer<String> prepare) {
    return inTransaction(connection -> {
      lock(connection);
      Generation current = selectOne(connection, "SELECT " + COLUMNS + " FROM tally_control.generations WHERE generation = "
          + generation.number() + " FOR UPDATE");
      if (current == null || !current.applicationId().equals(generation.applicationId())) {
        return current;
      }
      prepare.accept(applicationId);
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE tally_control.generations SET application_id = ? WHERE generation = ?")) {
        update.setString(1, applicationId);
        update.setInt(2, generation.number());
        update.executeUpdate();
      }
      log.warn("read model generation {} is now filled by application {} (was {})", generation.number(), applicationId,
          generation.applicationId());
      return new Generation(current.number(), current.schema(), applicationId, current.state());
    });
  }

  /** The application id a generation moves to from {@code applicationId}: {@code <id>-r1}, then {@code -r2}, ... */
  public static String nextApplicationId(String applicationId) {
    Matcher reassigned = REASSIGNED.matcher(applicationId);
    return reassigned.matches() ? reassigned.group(1) + "-r" + (Long.parseLong(reassigned.group(2)) + 1)
        : applicationId + "-r1";
  }

  /** Applied offset per partition of {@code topic} in a generation's checkpoints of {@code projection}. */
  public Map<Integer, Long> checkpoints(Generation generation, String projection, String topic) {
    return inTransaction(connection -> ReadModelSchemas.appliedOffsets(connection, generation.schema(), projection, topic));
  }

  /**
   * Points readers at {@code next} and marks the live generation RETIRING, in one transaction,
   * once {@code next} has caught up with it on every partition every registered projection has
   * applied; retries until {@code timeout}.
   *
   * @throws IllegalStateException if {@code next} is not being built, or does not catch up in time
   */
  public Generation switchTo(Generation next, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<Generation> switched = inTransaction(connection -> trySwitch(connection, next));
      if (switched.isPresent()) {
        return switched.get();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("generation " + next.number() + " did not catch up with the live one within "
            + timeout.toSeconds() + " s; nothing was switched");
      }
      Thread.sleep(20);
    }
  }

  private Optional<Generation> trySwitch(Connection connection, Generation next) throws SQLException {
    Generation current = selectOne(connection, "SELECT " + COLUMNS + " FROM tally_control.generations WHERE generation = "
        + next.number() + " FOR UPDATE");
    if (current == null || current.state() != Generation.State.BUILDING) {
      throw new IllegalStateException("generation " + next.number() + " is not being built (state "
          + (current == null ? "unknown" : current.state()) + "); nothing was switched");
    }
    Generation live = selectOne(connection, "SELECT " + COLUMNS + " FROM tally_control.generations WHERE state = 'LIVE' FOR UPDATE");
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET LOCAL lock_timeout = '5s'");
      if (live != null) {
        // Holds the live generation's writers still (their every batch ends with a checkpoint update)
        // while its position is compared with the new generation's.
        statement.execute("LOCK TABLE " + live.schema() + ".projection_checkpoints IN SHARE MODE");
      }
    }
    if (live != null) {
      Map<Checkpoint, Long> ahead = checkpoints(connection, live.schema());
      Map<Checkpoint, Long> candidate = checkpoints(connection, next.schema());
      for (Map.Entry<Checkpoint, Long> partition : ahead.entrySet()) {
        if (candidate.getOrDefault(partition.getKey(), -1L) < partition.getValue()) {
          connection.rollback();
          return Optional.empty();
        }
      }
    }
    pointViewsAt(connection, next.schema());
    try (Statement statement = connection.createStatement()) {
      if (live != null) {
        statement.execute("UPDATE tally_control.generations SET state = 'RETIRING' WHERE generation = " + live.number());
      }
      statement.execute("UPDATE tally_control.generations SET state = 'LIVE', switched_at = now() WHERE generation = "
          + next.number());
    }
    return Optional.of(new Generation(next.number(), next.schema(), next.applicationId(), Generation.State.LIVE));
  }

  /** Marks a generation being built FAILED (with why) and drops its schema; readers never saw it. */
  public void fail(Generation generation, String note) {
    end(generation, Generation.State.BUILDING, Generation.State.FAILED, note);
  }

  /** Drops a replaced generation's schema and marks it RETIRED. */
  public void retire(Generation generation) {
    end(generation, Generation.State.RETIRING, Generation.State.RETIRED, null);
  }

  private void end(Generation generation, Generation.State from, Generation.State to, String note) {
    inTransaction(connection -> {
      Generation current = selectOne(connection, "SELECT " + COLUMNS + " FROM tally_control.generations WHERE generation = "
          + generation.number() + " FOR UPDATE");
      if (current == null || current.state() != from) {
        throw new IllegalStateException("generation " + generation.number() + " is " + (current == null ? "unknown"
            : current.state()) + ", not " + from);
      }
      try (Statement statement = connection.createStatement();
           PreparedStatement update = connection.prepareStatement(
               "UPDATE tally_control.generations SET state = ?, note = coalesce(?, note) WHERE generation = ?")) {
        statement.execute("DROP SCHEMA IF EXISTS " + current.schema() + " CASCADE");
        update.setString(1, to.name());
        update.setString(2, note);
        update.setInt(3, generation.number());
        update.executeUpdate();
      }
      return null;
    });
  }

  private Generation create(Connection connection, int number, String applicationId, Generation.State state)
      throws SQLException {
    Generation generation = new Generation(number, schemaOf(number), applicationId, state);
    ReadModelSchemas.migrate(dataSource, generation.schema(), readerRole, projections);
    ReadModelSchemas.readThroughViewsOnly(connection, generation.schema(), readerRole);
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO tally_control.generations (generation, schema_name, application_id, state, switched_at)"
            + " VALUES (?, ?, ?, ?, CASE WHEN ? = 'LIVE' THEN now() END)")) {
      insert.setInt(1, number);
      insert.setString(2, generation.schema());
      insert.setString(3, applicationId);
      insert.setString(4, state.name());
      insert.setString(5, state.name());
      insert.executeUpdate();
    }
    return generation;
  }

  /** Replaces every serving view by one over {@code schema}: in the caller's transaction, so atomically. */
  private void pointViewsAt(Connection connection, String schema) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      List<String> relations = ReadModelSchemas.relations(projections).stream().map(Relation::name).toList();
      for (String relation : relations.reversed()) {
        statement.execute("DROP VIEW IF EXISTS " + ReadModelSchemas.SERVING + "." + relation);
      }
      for (String relation : relations) {
        String view = ReadModelSchemas.SERVING + "." + relation;
        statement.execute("CREATE VIEW " + view + " AS SELECT * FROM " + schema + "." + relation);
        statement.execute("GRANT SELECT ON " + view + " TO " + readerRole);
      }
    }
  }

  /** The applied offset of every partition each registered projection has applied in {@code schema}. */
  private Map<Checkpoint, Long> checkpoints(Connection connection, String schema) throws SQLException {
    Map<Checkpoint, Long> offsets = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement("SELECT projection, topic, partition, applied_offset FROM "
        + schema + ".projection_checkpoints WHERE projection = ANY(?)")) {
      statement.setArray(1, connection.createArrayOf("text", projections.stream().map(Projection::name).toArray()));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          offsets.put(new Checkpoint(rows.getString(1), rows.getString(2), rows.getInt(3)), rows.getLong(4));
        }
      }
    }
    return offsets;
  }

  /** One projection's position in one partition of a topic. */
  private record Checkpoint(String projection, String topic, int partition) {
  }

  private static Optional<Generation> live(Connection connection) throws SQLException {
    if (!bootstrapped(connection)) {
      return Optional.empty();
    }
    return Optional.ofNullable(selectOne(connection,
        "SELECT " + COLUMNS + " FROM tally_control.generations WHERE state = 'LIVE'"));
  }

  private static boolean bootstrapped(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT to_regclass('tally_control.generations') IS NOT NULL")) {
      rows.next();
      return rows.getBoolean(1);
    }
  }

  private static int nextNumber(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT coalesce(max(generation), 0) + 1 FROM tally_control.generations")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static void lock(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
    }
  }

  private static Generation selectOne(Connection connection, String sql) throws SQLException {
    List<Generation> found = select(connection, sql);
    return found.isEmpty() ? null : found.getFirst();
  }

  private static List<Generation> select(Connection connection, String sql) throws SQLException {
    List<Generation> found = new ArrayList<>();
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        found.add(new Generation(rows.getInt(1), checkedSchema(rows.getInt(1), rows.getString(2)), rows.getString(3),
            Generation.State.valueOf(rows.getString(4))));
      }
    }
    return found;
  }

  /**
   * The schema a row names, once it is the one {@link #create} names for its number: these names
   * go into SQL text (views, locks, DROP SCHEMA), and a row is data anyone with write access to
   * the control table could have changed.
   */
  private static String checkedSchema(int generation, String schema) {
    if (!schemaOf(generation).equals(schema)) {
      throw new IllegalStateException("tally_control.generations: generation " + generation + " names schema "
          + schema + ", not " + schemaOf(generation) + "; refusing to use it");
    }
    return schema;
  }

  private static String schemaOf(int generation) {
    return "tally_read_g" + generation;
  }

  private <T> T inTransaction(Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        if (!connection.isClosed() && !connection.getAutoCommit()) {
          connection.commit();
        }
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new ReadModelException("read model control: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** The database refused or failed an operation on the read model's generations. */
  public static final class ReadModelException extends RuntimeException {
    ReadModelException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
