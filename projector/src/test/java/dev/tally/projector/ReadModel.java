package dev.tally.projector;

import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.projection.ReadModelSchemas;
import dev.tally.testing.TestInfrastructure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** A fresh read-model database on the shared test server: migrated, with the reader role granted. */
public final class ReadModel {

  public static final String READER_ROLE = "tally_reader";

  private ReadModel() {
  }

  /**
   * A new database with the read model's tables in its public schema and the control schema
   * (where operators' skips are), migrated as the server's superuser.
   */
  public static TestInfrastructure.Database create() {
    ensureReaderRole();
    TestInfrastructure.Database database = TestInfrastructure.newDatabase();
    ReadModelSchemas.migrateControl(dataSource(database), READER_ROLE);
    ReadModelSchemas.migrate(dataSource(database), "public", READER_ROLE, Projection.of(dev.tally.ledger.Ledger.SLICES));
    return database;
  }

  public static void ensureReaderRole() {
    TestInfrastructure.ensureRole(READER_ROLE);
  }

  public static DataSource dataSource(TestInfrastructure.Database database) {
    return database.dataSource();
  }

  /** A data source whose connections read the serving views ({@code tally_read}), as the query API does. */
  public static DataSource servingDataSource(TestInfrastructure.Database database) {
    PGSimpleDataSource dataSource = (PGSimpleDataSource) dataSource(database);
    dataSource.setCurrentSchema(ReadModelSchemas.SERVING);
    return dataSource;
  }

  /** Every account row and history line, as comparable text, in a fixed order. */
  public static Dump dump(DataSource dataSource) {
    return new Dump(
        query(dataSource, """
            SELECT account_id || '|' || owner || '|' || currency || '|' || balance || '|' || status || '|' || version
                   || '|' || (extract(epoch FROM opened_at) * 1000000)::bigint
                   || '|' || (extract(epoch FROM updated_at) * 1000000)::bigint
            FROM accounts ORDER BY account_id"""),
        query(dataSource, """
            SELECT account_id || '|' || version || '|' || type || '|' || amount || '|' || balance_after || '|' || reference
                   || '|' || (extract(epoch FROM occurred_at) * 1000000)::bigint || '|' || event_id
            FROM account_transactions ORDER BY account_id, version"""));
  }

  /** Applied offset per partition of one projection and topic. */
  public static Map<Integer, Long> checkpoints(DataSource dataSource, String topic) {
    Map<Integer, Long> offsets = new HashMap<>();
    for (String row : query(dataSource,
        "SELECT partition || ':' || applied_offset FROM projection_checkpoints WHERE topic = '" + topic + "'")) {
      String[] parts = row.split(":");
      offsets.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
    }
    return offsets;
  }

  public static List<String> query(DataSource dataSource, String sql) {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery(sql)) {
      List<String> result = new ArrayList<>();
      while (rows.next()) {
        result.add(rows.getString(1));
      }
      return result;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  public static void execute(DataSource dataSource, String sql) {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** The whole read model of the account projection, as text lines. */
  public record Dump(List<String> accounts, List<String> transactions) {
  }
}
