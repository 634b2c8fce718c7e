package dev.tally.chaos;

import dev.tally.account.projection.AccountProjection;
import dev.tally.account.projection.AccountRow;
import dev.tally.cli.ModelVerification;
import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import dev.tally.runtime.projection.ReadModelSchemas;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * What the read model holds, read straight from PostgreSQL (the live generation's own tables, in
 * one snapshot), not through the services: every account's balance, every money line's reference,
 * the parked keys.
 */
final class ReadModel {

  /** The account projection's name: the key of its checkpoints. */
  static final String PROJECTION = AccountProjection.NAME;
  private static final int NAMED = 10;

  /** The balance of every opened account, as the verification's fold of the log computed it. */
  static Map<String, Long> logBalances(ModelVerification.Result verified) {
    Map<String, Long> balances = new HashMap<>();
    verified.states(PROJECTION).forEach((id, state) -> {
      if (state instanceof AccountRow row && row.opened()) {
        balances.put(id.toString(), row.balance());
      }
    });
    return balances;
  }

  /**
   * The facts.
   *
   * @param balances balance by account id
   * @param lineReferences reference of each money line, by {@code accountId/version}
   * @param parkedKeys how many keys are parked
   * @param parked the first few of them, with their reasons
   */
  record Facts(String schema, Map<String, Long> balances, Map<String, String> lineReferences, long parkedKeys,
      List<String> parked) {
  }

  private ReadModel() {
  }

  static Generation live(Generations generations) {
    return generations.live().orElseThrow(() -> new IllegalStateException(
        "the read model has no live generation: did the projector ever start?"));
  }

  /**
   * Waits until the live generation has applied every partition up to its last record (as the
   * log scan found it), for at most {@code limit}; answers, per partition still behind, by how
   * many offsets (empty when caught up).
   */
  static Map<Integer, Long> awaitCatchUp(Generations generations, String topic, Map<Integer, Long> lastOffsets,
      Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      Map<Integer, Long> applied = generations.checkpoints(live(generations), AccountProjection.NAME, topic);
      Map<Integer, Long> behind = new TreeMap<>();
      lastOffsets.forEach((partition, last) -> {
        long at = applied.getOrDefault(partition, -1L);
        if (at < last) {
          behind.put(partition, last - at);
        }
      });
      if (behind.isEmpty() || System.nanoTime() > deadline) {
        return behind;
      }
      Thread.sleep(200);
    }
  }

  static Facts read(DataSource db, String schema) throws SQLException {
    ReadModelSchemas.requireIdentifier(schema, "schema");
    Map<String, Long> balances = new HashMap<>();
    Map<String, String> lines = new HashMap<>();
    List<String> parked = new ArrayList<>();
    long parkedKeys = 0;
    try (Connection connection = db.getConnection()) {
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      connection.setReadOnly(true);
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        try (ResultSet rows = statement.executeQuery("SELECT account_id::text, balance FROM " + schema + ".accounts")) {
          while (rows.next()) {
            balances.put(rows.getString(1), rows.getLong(2));
          }
        }
        try (ResultSet rows = statement.executeQuery(
            "SELECT account_id::text, version, reference FROM " + schema + ".account_transactions")) {
          while (rows.next()) {
            lines.put(rows.getString(1) + "/" + rows.getLong(2), rows.getString(3));
          }
        }
        try (ResultSet rows = statement.executeQuery(
            "SELECT record_key, partition, parked_offset, reason FROM " + schema + ".parked_keys ORDER BY parked_at")) {
          while (rows.next()) {
            if (parkedKeys++ < NAMED) {
              parked.add(rows.getString(1) + " at " + rows.getInt(2) + "@" + rows.getLong(3) + ": " + rows.getString(4));
            }
          }
        }
      }
      connection.commit();
    }
    return new Facts(schema, balances, lines, parkedKeys, parked);
  }
}
