package dev.tally.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The query API's own connections (the reader role) can read the read model and change nothing. */
class ReaderRoleTest extends QueryApiTestBase {

  private static final UUID ACCOUNT = UUID.randomUUID();

  @Autowired
  DataSource dataSource;

  @Test
  void theQueryApiConnectsAsTheReaderAndCanRead() throws SQLException {
    DB.account(ACCOUNT, "reader-test", 5, "OPEN", 1, Instant.parse("2026-01-01T00:00:00Z"));
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT current_user, (SELECT balance FROM accounts WHERE account_id = '"
             + ACCOUNT + "')")) {
      rows.next();
      assertThat(rows.getString(1)).isEqualTo("tally_reader");
      assertThat(rows.getLong(2)).isEqualTo(5);
    }
  }

  /** Through the serving views (what the query API names) and in the generation's own tables. */
  @ParameterizedTest
  @ValueSource(strings = {
      "INSERT INTO accounts VALUES (gen_random_uuid(), 'x', 'EUR', 1, 'OPEN', 1, now(), now())",
      "UPDATE accounts SET balance = balance + 1000000",
      "DELETE FROM account_transactions",
      "INSERT INTO account_transactions VALUES (gen_random_uuid(), 1, 'DEPOSIT', 1, 1, 'x', now(), gen_random_uuid())",
      "UPDATE projection_checkpoints SET applied_offset = 0",
      "INSERT INTO transfers VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1, 'PENDING', null, 1, now())",
      "DROP VIEW accounts",
      "CREATE OR REPLACE VIEW accounts AS SELECT * FROM accounts",
      "CREATE TABLE hacked (id int)",
      "UPDATE tally_control.generations SET state = 'FAILED'",
      "UPDATE GENERATION.accounts SET balance = balance + 1000000",
      "DELETE FROM GENERATION.account_transactions",
      "TRUNCATE GENERATION.accounts",
      "DROP TABLE GENERATION.accounts",
      "ALTER TABLE GENERATION.accounts ADD COLUMN hacked int",
      "CREATE TABLE GENERATION.hacked (id int)"})
  void everyWriteIsRefused(String statementText) throws SQLException {
    String sql = statementText.replace("GENERATION", DB.generationSchema());
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.execute(sql))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(e.getMessage()).isEqualTo("42501"))
          .hasMessageMatching("(?s).*(permission denied|must be owner).*");
    }
  }
}
