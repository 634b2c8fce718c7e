package dev.tally.readmodel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Where the read model lives in PostgreSQL: one schema per generation (and per point-in-time copy),
 * all with the same tables, created by the same Flyway migrations; readers see the live generation
 * through the views of {@value #SERVING}.
 */
public final class ReadModelSchemas {

  /** The schema readers use: one view per relation of {@link #RELATIONS}, pointing at the live generation. */
  public static final String SERVING = "tally_read";
  /** Where the generations are recorded. */
  public static final String CONTROL = "tally_control";
  /** The PostgreSQL channel notified after every committed batch, on which waiting readers listen. */
  public static final String NOTIFY_CHANNEL = "tally_projection";
  /** What a reader can name: the tables and views of a read-model schema, in creation order. */
  public static final List<String> RELATIONS = List.of("accounts", "account_transactions", "transfers",
      "projection_checkpoints", "parked_keys", "aggregate_versions");

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private ReadModelSchemas() {
  }

  /** Creates (or brings up to date) the read model's tables in {@code schema}, readable by {@code readerRole}. */
  public static void migrate(DataSource dataSource, String schema, String readerRole) {
    Flyway.configure()
        .dataSource(dataSource)
        .schemas(requireIdentifier(schema, "schema"))
        .locations("classpath:db/read-model")
        .placeholders(Map.of("reader_role", requireIdentifier(readerRole, "reader role")))
        .load()
        .migrate();
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
