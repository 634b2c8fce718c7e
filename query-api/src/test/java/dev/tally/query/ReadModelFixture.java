package dev.tally.query;

import dev.tally.testing.TestInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/**
 * A read-model database for query API tests, built with the projector's own migrations (the
 * projector owns the schema), and written to with plain SQL as the writer would.
 */
public final class ReadModelFixture {

  public static final String READER = "tally_reader";
  private static final Path MIGRATIONS = Path.of("../projector/src/main/resources/db/migration").toAbsolutePath().normalize();

  private final TestInfrastructure.Database database;

  private ReadModelFixture(TestInfrastructure.Database database) {
    this.database = database;
  }

  /** A new database on the shared server, migrated by its owner, readable by {@value #READER}. */
  public static ReadModelFixture create() {
    if (!Files.isDirectory(MIGRATIONS)) {
      throw new IllegalStateException("the projector's migrations are not at " + MIGRATIONS);
    }
    try (Connection connection = TestInfrastructure.postgres().connect(); Statement statement = connection.createStatement()) {
      statement.execute("""
          DO $$ BEGIN
            CREATE ROLE %1$s LOGIN PASSWORD '%1$s';
          EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
          END $$""".formatted(READER));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create role " + READER, e);
    }
    TestInfrastructure.Database database = TestInfrastructure.newDatabase();
    Flyway.configure()
        .dataSource(database.jdbcUrl(), database.user(), database.password())
        .locations("filesystem:" + MIGRATIONS)
        .placeholders(Map.of("reader_role", READER))
        .load()
        .migrate();
    return new ReadModelFixture(database);
  }

  public String jdbcUrl() {
    return database.jdbcUrl();
  }

  /** A connection as the reader role, the query API's login. */
  public Connection connectAsReader() throws SQLException {
    return java.sql.DriverManager.getConnection(database.jdbcUrl(), READER, READER);
  }

  public void account(UUID id, String owner, long balance, String status, long version, Instant openedAt) {
    execute("""
        INSERT INTO accounts (account_id, owner, currency, balance, status, version, opened_at, updated_at)
        VALUES (?, ?, 'EUR', ?, ?, ?, ?, ?)""",
        id, owner, balance, status, version, at(openedAt), at(openedAt.plusSeconds(version)));
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
           Statement notify = connection.createStatement()) {
        update.setLong(1, version);
        update.setLong(2, balance);
        update.setObject(3, account);
        update.executeUpdate();
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
    return database.connect();
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
