package dev.tally.account.projection;

import dev.tally.runtime.projection.ProjectionBatch;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The account projection's changes of one write: one coalesced row per account, folded by
 * {@link AccountView} from what the batch has seen of it (its state after the newest event of the
 * batch; columns it has not seen are null and stay as they are), and one history line per money
 * event. The runtime adds only events that follow what the read model holds, in order.
 *
 * <p>Written with three statements whatever the batch size, each one multi-row through
 * {@code unnest} of arrays:
 * <ol>
 *   <li>accounts opened in this batch: {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE
 *       accounts.version < EXCLUDED.version};
 *   <li>other accounts: {@code UPDATE ... WHERE accounts.version < new version}, keeping the columns
 *       the batch does not know (balance of an account only closed in this batch);
 *   <li>history lines: {@code INSERT ... ON CONFLICT (account_id, version) DO NOTHING}.
 * </ol>
 * The version guards make a replayed or duplicated event a no-op: a row never goes backwards.
 */
final class AccountBatch implements ProjectionBatch<AccountEvent> {

  private final Map<UUID, AccountRow> rows = new HashMap<>();
  private final Map<LineKey, TransactionLine> lines = new LinkedHashMap<>();

  @Override
  public void add(AccountEvent event) {
    rows.put(event.accountId(), AccountView.VIEW.evolve(
        rows.getOrDefault(event.accountId(), AccountView.VIEW.initialState()), event));
    AccountView.line(event).ifPresent(line -> lines.putIfAbsent(new LineKey(line.accountId(), line.version()), line));
  }

  @Override
  public boolean isEmpty() {
    return rows.isEmpty() && lines.isEmpty();
  }

  /** Accounts this batch changes. */
  int accounts() {
    return rows.size();
  }

  @Override
  public long write(Connection connection) throws SQLException {
    List<AccountRow> sorted = new ArrayList<>(rows.values());
    sorted.sort(Comparator.comparing(AccountRow::accountId));
    List<AccountRow> opened = sorted.stream().filter(AccountRow::opened).toList();
    List<AccountRow> updated = sorted.stream().filter(row -> !row.opened()).toList();
    return insertOpened(connection, opened) + updateExisting(connection, updated) + insertLines(connection);
  }

  private long insertOpened(Connection connection, List<AccountRow> opened) throws SQLException {
    if (opened.isEmpty()) {
      return 0;
    }
    int n = opened.size();
    UUID[] ids = new UUID[n];
    String[] owners = new String[n];
    String[] currencies = new String[n];
    Long[] balances = new Long[n];
    String[] statuses = new String[n];
    Long[] versions = new Long[n];
    Long[] openedAt = new Long[n];
    Long[] updatedAt = new Long[n];
    for (int i = 0; i < n; i++) {
      AccountRow row = opened.get(i);
      ids[i] = row.accountId();
      owners[i] = row.owner();
      currencies[i] = row.currency();
      balances[i] = row.balance() == null ? 0L : row.balance();
      statuses[i] = (row.status() == null ? AccountRow.Status.OPEN : row.status()).name();
      versions[i] = row.version();
      openedAt[i] = micros(row.openedAt());
      updatedAt[i] = micros(row.updatedAt());
    }
    try (PreparedStatement statement = connection.prepareStatement("""
        INSERT INTO accounts (account_id, owner, currency, balance, status, version, opened_at, updated_at)
        SELECT u.id, u.owner, u.currency, u.balance, u.status, u.version,
               timestamptz 'epoch' + u.opened * interval '1 microsecond',
               timestamptz 'epoch' + u.updated * interval '1 microsecond'
        FROM unnest(?::uuid[], ?::text[], ?::text[], ?::int8[], ?::text[], ?::int8[], ?::int8[], ?::int8[])
             AS u(id, owner, currency, balance, status, version, opened, updated)
        ON CONFLICT (account_id) DO UPDATE
          SET balance = EXCLUDED.balance, status = EXCLUDED.status,
              version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
          WHERE accounts.version < EXCLUDED.version""")) {
      statement.setArray(1, connection.createArrayOf("uuid", ids));
      statement.setArray(2, connection.createArrayOf("text", owners));
      statement.setArray(3, connection.createArrayOf("text", currencies));
      statement.setArray(4, longs(connection, balances));
      statement.setArray(5, connection.createArrayOf("text", statuses));
      statement.setArray(6, longs(connection, versions));
      statement.setArray(7, longs(connection, openedAt));
      statement.setArray(8, longs(connection, updatedAt));
      return statement.executeUpdate();
    }
  }

  private long updateExisting(Connection connection, List<AccountRow> updated) throws SQLException {
    if (updated.isEmpty()) {
      return 0;
    }
    int n = updated.size();
    UUID[] ids = new UUID[n];
    Long[] balances = new Long[n];
    String[] statuses = new String[n];
    Long[] versions = new Long[n];
    Long[] updatedAt = new Long[n];
    for (int i = 0; i < n; i++) {
      AccountRow row = updated.get(i);
      ids[i] = row.accountId();
      balances[i] = row.balance();
      statuses[i] = row.status() == null ? null : row.status().name();
      versions[i] = row.version();
      updatedAt[i] = micros(row.updatedAt());
    }
    try (PreparedStatement statement = connection.prepareStatement("""
        UPDATE accounts AS a
           SET balance = COALESCE(u.balance, a.balance),
               status = COALESCE(u.status, a.status),
               version = u.version,
               updated_at = timestamptz 'epoch' + u.updated * interval '1 microsecond'
          FROM unnest(?::uuid[], ?::int8[], ?::text[], ?::int8[], ?::int8[]) AS u(id, balance, status, version, updated)
         WHERE a.account_id = u.id AND a.version < u.version""")) {
      statement.setArray(1, connection.createArrayOf("uuid", ids));
      statement.setArray(2, longs(connection, balances));
      statement.setArray(3, connection.createArrayOf("text", statuses));
      statement.setArray(4, longs(connection, versions));
      statement.setArray(5, longs(connection, updatedAt));
      return statement.executeUpdate();
    }
  }

  private long insertLines(Connection connection) throws SQLException {
    if (lines.isEmpty()) {
      return 0;
    }
    int n = lines.size();
    UUID[] ids = new UUID[n];
    Long[] versions = new Long[n];
    String[] types = new String[n];
    Long[] amounts = new Long[n];
    Long[] balances = new Long[n];
    String[] references = new String[n];
    Long[] occurredAt = new Long[n];
    UUID[] eventIds = new UUID[n];
    int i = 0;
    for (TransactionLine line : lines.values()) {
      ids[i] = line.accountId();
      versions[i] = line.version();
      types[i] = line.type().name();
      amounts[i] = line.amount();
      balances[i] = line.balanceAfter();
      references[i] = line.reference();
      occurredAt[i] = micros(line.occurredAt());
      eventIds[i] = line.eventId();
      i++;
    }
    try (PreparedStatement statement = connection.prepareStatement("""
        INSERT INTO account_transactions (account_id, version, type, amount, balance_after, reference, occurred_at, event_id)
        SELECT u.id, u.version, u.type, u.amount, u.balance_after, u.reference,
               timestamptz 'epoch' + u.occurred * interval '1 microsecond', u.event_id
        FROM unnest(?::uuid[], ?::int8[], ?::text[], ?::int8[], ?::int8[], ?::text[], ?::int8[], ?::uuid[])
             AS u(id, version, type, amount, balance_after, reference, occurred, event_id)
        ON CONFLICT (account_id, version) DO NOTHING""")) {
      statement.setArray(1, connection.createArrayOf("uuid", ids));
      statement.setArray(2, longs(connection, versions));
      statement.setArray(3, connection.createArrayOf("text", types));
      statement.setArray(4, longs(connection, amounts));
      statement.setArray(5, longs(connection, balances));
      statement.setArray(6, connection.createArrayOf("text", references));
      statement.setArray(7, longs(connection, occurredAt));
      statement.setArray(8, connection.createArrayOf("uuid", eventIds));
      return statement.executeUpdate();
    }
  }

  private static Array longs(Connection connection, Long[] values) throws SQLException {
    return connection.createArrayOf("int8", values);
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private record LineKey(UUID accountId, long version) {
  }
}
