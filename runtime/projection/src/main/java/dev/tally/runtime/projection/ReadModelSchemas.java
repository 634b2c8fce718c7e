package dev.tally.runtime.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Where the read model lives in PostgreSQL: one schema per generation (and per point-in-time copy),
 * all with the same tables: the runtime's own ({@value #RUNTIME_MIGRATIONS}) and each registered
 * projection's, each set with its own Flyway history; readers see the live generation through the
 * views of {@value #SERVING}.
 */
public final class ReadModelSchemas {

  /** First: the relations below are checked against it as the class initialises. */
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  /** The schema readers use: one view per relation of {@link #relations}, pointing at the live generation. */
  public static final String SERVING = "tally_read";
  /** Where the generations are recorded. */
  public static final String CONTROL = "tally_control";
  /** The PostgreSQL channel notified after every committed batch, on which waiting readers listen. */
  public static final String NOTIFY_CHANNEL = "tally_projection";
  /** The runtime's own relations, whatever the projections: readers may name them too. */
  public static final List<Relation> RUNTIME_RELATIONS = List.of(Relation.served("projection_checkpoints"),
      Relation.served("parked_keys"), Relation.served("aggregate_versions"));

  static final String RUNTIME_MIGRATIONS = "classpath:db/projection/runtime";
  static final String RUNTIME_HISTORY = "flyway_history_projection_runtime";
  /**
   * The one history every read-model schema had before the runtime and each projection kept their
   * own: its versions 1 and 20 created exactly the runtime's version 1 and the tables of the
   * projections then registered ({@link #adoptsLegacy}).
   */
  static final String LEGACY_HISTORY = "flyway_schema_history";

  private ReadModelSchemas() {
  }

  /** What a reader can name: every relation of every projection, then the runtime's, in creation order. */
  public static List<Relation> relations(List<? extends Projection<?>> projections) {
    List<Relation> relations = new ArrayList<>();
    projections.forEach(projection -> relations.addAll(projection.relations()));
    relations.addAll(RUNTIME_RELATIONS);
    return List.copyOf(relations);
  }

  /**
   * Creates (or brings up to date) the runtime's tables and every projection's in {@code schema},
   * readable by {@code readerRole}, and records which aggregate type each projection reads.
   *
   * <p>A schema created before the runtime and the projections had histories of their own (its
   * {@value #LEGACY_HISTORY} table exists, and the runtime's does not) is adopted: its tables are
   * those of the runtime's version 1 and of every projection whose tables it has, so those histories
   * start as a baseline at version 1 and only later versions are applied. Any other projection is
   * migrated from its first version.
   */
  public static void migrate(DataSource dataSource, String schema, String readerRole,
      List<? extends Projection<?>> projections) {
    requireIdentifier(schema, "schema");
    Map<String, String> placeholders = Map.of("reader_role", requireIdentifier(readerRole, "reader role"));
    boolean legacy = exists(dataSource, schema, LEGACY_HISTORY) && !exists(dataSource, schema, RUNTIME_HISTORY);
    migrate(dataSource, schema, RUNTIME_MIGRATIONS, RUNTIME_HISTORY, legacy, placeholders);
    for (Projection<?> projection : projections) {
      String history = "flyway_history_" + requireIdentifier(projection.name(), "projection name");
      boolean adopted = legacy && !exists(dataSource, schema, history) && adoptsLegacy(dataSource, schema, projection);
      migrate(dataSource, schema, projection.migrations(), history, adopted, placeholders);
    }
    registerSources(dataSource, schema, projections);
  }

  /** Whether a legacy schema holds {@code projection}'s tables already: then its first version was applied. */
  private static boolean adoptsLegacy(DataSource dataSource, String schema, Projection<?> projection) {
    return projection.relations().stream().filter(Relation::isVerified)
        .allMatch(relation -> exists(dataSource, schema, relation.name()));
  }

  private static void migrate(DataSource dataSource, String schema, String location, String history,
      boolean adopted, Map<String, String> placeholders) {
    // Several histories share each schema, so a schema is never empty for the second: each starts
    // with a baseline, at 0 (every version applies) or, adopted, at 1.
    Flyway.configure()
        .dataSource(dataSource)
        .schemas(schema)
        .table(history)
        .locations(location)
        .baselineOnMigrate(true)
        .baselineVersion(adopted ? "1" : "0")
        .baselineDescription(adopted ? "adopted from " + LEGACY_HISTORY : "<< baseline >>")
        .placeholders(placeholders)
        .load()
        .migrate();
  }

  private static void registerSources(DataSource dataSource, String schema, List<? extends Projection<?>> projections) {
    try (Connection connection = dataSource.getConnection();
         PreparedStatement insert = connection.prepareStatement("INSERT INTO " + schema
             + ".projection_sources (projection, aggregate_type) VALUES (?, ?)"
             + " ON CONFLICT (projection) DO UPDATE SET aggregate_type = EXCLUDED.aggregate_type")) {
      for (Projection<?> projection : projections) {
        insert.setString(1, projection.name());
        insert.setString(2, projection.sourceAggregateType());
        insert.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot record the projections of schema " + schema + ": " + e.getMessage(), e);
    }
  }

  private static boolean exists(DataSource dataSource, String schema, String relation) {
    try (Connection connection = dataSource.getConnection();
         PreparedStatement statement = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      statement.setString(1, schema + "." + relation);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read schema " + schema + ": " + e.getMessage(), e);
    }
  }

  /**
   * Takes from {@code readerRole} what the migrations granted it in {@code schema}: a generation is
   * read through the serving views, which read its tables with their owner's rights, and the control
   * schema is not for readers. (A point-in-time copy keeps the grants: a query API serves it by name.)
   */
  static void readThroughViewsOnly(Connection connection, String schema, String readerRole) throws SQLException {
    String s = requireIdentifier(schema, "schema");
    String r = requireIdentifier(readerRole, "reader role");
    try (Statement statement = connection.createStatement()) {
      statement.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA " + s + " REVOKE ALL ON TABLES FROM " + r);
      statement.execute("REVOKE ALL ON ALL TABLES IN SCHEMA " + s + " FROM " + r);
      statement.execute("REVOKE ALL ON SCHEMA " + s + " FROM " + r);
    }
  }

  /** Creates (or brings up to date) the control schema and the serving schema. */
  public static void migrateControl(DataSource dataSource, String readerRole) {
    Flyway.configure()
        .dataSource(dataSource)
        .schemas(CONTROL, SERVING)
        .locations("classpath:db/control")
        .placeholders(Map.of("reader_role", requireIdentifier(readerRole, "reader role")))
        .load()
        .migrate();
  }

  /** How far a projection has applied each partition of a topic in a read-model schema (applied offset by partition). */
  public static Map<Integer, Long> appliedOffsets(Connection connection, String schema, String projection, String topic)
      throws SQLException {
    Map<Integer, Long> applied = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement("SELECT partition, applied_offset FROM "
        + requireIdentifier(schema, "schema") + ".projection_checkpoints WHERE projection = ? AND topic = ?")) {
      statement.setString(1, projection);
      statement.setString(2, topic);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          applied.put(rows.getInt(1), rows.getLong(2));
        }
      }
    }
    return applied;
  }

  /** {@code value} if it is a plain lower-case SQL identifier (safe to put in SQL text), else an exception. */
  public static String requireIdentifier(String value, String what) {
    if (value == null || !IDENTIFIER.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be a lower-case SQL identifier (a-z, 0-9, _), not " + value);
    }
    return value;
  }
}
