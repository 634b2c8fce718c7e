package dev.tally.projector;

import dev.tally.runtime.projection.Projection;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.runtime.projection.ReadModelSchemas;
import dev.tally.testing.TestInfrastructure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * A read-model schema migrated before the runtime and each projection had their own migrations
 * (the old files, byte for byte, in {@code db/legacy-read-model}) is adopted by the new ones: its
 * rows stay, nothing is created twice, and the consistency relation covers its aggregates.
 */
class LegacyReadModelTest {

  @Test
  void aSchemaMigratedByTheOldSingleHistoryIsAdopted() throws Exception {
    ReadModel.ensureReaderRole();
    TestInfrastructure.Database database = TestInfrastructure.newDatabase();
    DataSource db = database.dataSource();
    String schema = "tally_read_g1";
    Flyway.configure().dataSource(db).schemas(schema).locations("classpath:db/legacy-read-model")
        .placeholders(Map.of("reader_role", ReadModel.READER_ROLE)).load().migrate();
    UUID account = UUID.randomUUID();
    try (Connection connection = db.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO " + schema + ".accounts VALUES ('" + account
          + "', 'o', 'EUR', 5, 'OPEN', 3, now(), now())");
      statement.execute("INSERT INTO " + schema + ".projected_versions (projection, aggregate_id, version)"
          + " VALUES ('accounts', '" + account + "', 3)");
    }

    ReadModelSchemas.migrate(db, schema, ReadModel.READER_ROLE, Projection.of(dev.tally.ledger.Ledger.SLICES));
    ReadModelSchemas.migrate(db, schema, ReadModel.READER_ROLE, Projection.of(dev.tally.ledger.Ledger.SLICES));

    try (Connection connection = db.getConnection(); Statement statement = connection.createStatement()) {
      assertThat(one(statement, "SELECT balance FROM " + schema + ".accounts")).isEqualTo("5");
      assertThat(one(statement, "SELECT aggregate_type || ':' || version FROM " + schema
          + ".aggregate_versions WHERE aggregate_id = '" + account + "'")).isEqualTo("account:3");
      assertThat(one(statement, "SELECT string_agg(version || ' ' || type, ',' ORDER BY installed_rank) FROM "
          + schema + ".flyway_history_accounts")).isEqualTo("1 BASELINE");
      assertThat(one(statement, "SELECT string_agg(version || ' ' || type, ',' ORDER BY installed_rank) FROM "
          + schema + ".flyway_history_projection_runtime")).isEqualTo("1 BASELINE,2 SQL");
    }
  }

  private static String one(Statement statement, String sql) throws Exception {
    try (ResultSet rows = statement.executeQuery(sql)) {
      assertThat(rows.next()).as(sql).isTrue();
      return rows.getString(1);
    }
  }
}
