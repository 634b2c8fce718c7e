package dev.tally.query;

import dev.tally.runtime.projection.Projection;
import dev.tally.ledger.Ledger;
import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import dev.tally.testing.TestInfrastructure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * A read-model database for query API tests, bootstrapped as the projector does it (a first
 * generation, and the serving views over it that the query API reads), and written to with plain
 * SQL in the generation's schema, as the projector would.
 */
public final class ReadModelFixture {

  public static final String READER = "tally_reader";
  /** What the projection runtime records in each batch beside the rows: consistency tokens are checked against it. */
  private static final String VERSION = """
      INSERT INTO projected_versions (projection, aggregate_id, version) VALUES ('accounts', ?, ?)
      ON CONFLICT (aggregate_id, projection) DO UPDATE SET version = EXCLUDED.version""";

  private final TestInfrastructure.Database database;
  private final String generationSchema;

  private ReadModelFixture(TestInfrastructure.Database database, String generationSchema) {
    this.database = database;
    this.generationSchema = generationSchema;
  }

  /** A new database on the shared server, migrated by its owner, readable by {@value #READER}. */
  public static ReadModelFixture create() {
    TestInfrastructure.ensureRole(READER);
    return on(TestInfrastructure.newDatabase());
  }

  /** The read model bootstrapped in {@code database}, on a server where the reader role exists. */
  public static ReadModelFixture on(TestInfrastructure.Database database) {
    Generation live = new Generations(database.dataSource(), READER, Projection.of(Ledger.SLICES)).bootstrap("query-api-test");
    return new ReadModelFixture(database, live.schema());
  }

  public String jdbcUrl() {
    return database.jdbcUrl();
  }

  /** The database as its owner, who migrates it (the projector's role in production). */
  public javax.sql.DataSource owner() {
    return database.dataSource();
  }

  /** The schema of the live generation, which the serving views show. */
  public String generationSchema() {
    return generationSchema;
  }

  public void account(UUID id, String owner, long balance, String status, long version, Instant openedAt) {
    execute("""
        INSERT INTO accounts (account_id, owner, currency, balance, status, version, opened_at, updated_at)
        VALUES (?, ?, 'EUR', ?, ?, ?, ?, ?)""",
        id, owner, balance, status, version, at(openedAt), at(openedAt.plusSeconds(version)));
    execute(VERSION, id, version);
  }

  public void transaction(UUID account, long version, String type, long amount, long balanceAfter, String reference,
      Instant occurredAt) {
    execute("""
        INSERT INTO account_transactions (account_id, version, type, amount, balance_after, reference, occurred_at, event_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        account, version, type, amount, balanceAfter, reference, at(occurredAt), UUID.randomUUID());
  }

  public void transfer(UUID id, UUID from, UUID to, long amount, String status, String reason) {
    execute("""
        INSERT INTO transfers (transfer_id, from_account, to_account, amount, status, reason, version, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 1, now())""", id, from, to, amount, status, reason);
  }

  /** What the projector does in one batch: move an account forward, then notify readers on commit. */
  public void advance(UUID account, long version, long balance) {
    try (Connection connection = writer()) {
      connection.setAutoCommit(false);
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE accounts SET version = ?, balance = ?, updated_at = now() WHERE account_id = ?");
           PreparedStatement projected = connection.prepareStatement(VERSION);
           Statement notify = connection.createStatement()) {
        update.setLong(1, version);
        update.setLong(2, balance);
        update.setObject(3, account);
        update.executeUpdate();
        projected.setObject(1, account);
        projected.setLong(2, version);
        projected.executeUpdate();
        notify.execute("NOTIFY tally_projection, 'test'");
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public void execute(String sql, Object... parameters) {
    try (Connection connection = writer(); PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      statement.execute();
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  private Connection writer() throws SQLException {
    Connection connection = database.connect();
    connection.setSchema(generationSchema);
    return connection;
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
