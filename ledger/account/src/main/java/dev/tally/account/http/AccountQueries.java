package dev.tally.account.http;

import dev.tally.account.http.AccountViews.Account;
import dev.tally.account.http.AccountViews.Transaction;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Reads of the account projection's tables; every list is keyset-paged on an index. */
final class AccountQueries {

  private static final String ACCOUNT_COLUMNS = "account_id, owner, currency, balance, status, version, updated_at, opened_at";

  private final JdbcClient jdbc;

  AccountQueries(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Optional<Account> account(UUID id) {
    return jdbc.sql("SELECT " + ACCOUNT_COLUMNS + " FROM accounts WHERE account_id = ?")
        .param(id)
        .query((rows, n) -> account(rows))
        .optional();
  }

  boolean exists(UUID id) {
    return jdbc.sql("SELECT 1 FROM accounts WHERE account_id = ?").param(id).query(Integer.class).optional().isPresent();
  }

  /** Up to {@code limit} history lines after {@code afterVersion}, oldest first. */
  List<Transaction> transactions(UUID id, long afterVersion, int limit) {
    return jdbc.sql("""
            SELECT version, type, amount, balance_after, reference, occurred_at FROM account_transactions
            WHERE account_id = ? AND version > ? ORDER BY version LIMIT ?""")
        .param(id).param(afterVersion).param(limit)
        .query((rows, n) -> new Transaction(rows.getLong(1), rows.getString(2), rows.getLong(3), rows.getLong(4),
            rows.getString(5), instant(rows, 6)))
        .list();
  }

  /** Up to {@code limit} accounts of an owner after {@code after} (or from the first), in opening order. */
  List<Keyed> accountsOf(String owner, Paging.AccountKey after, int limit) {
    if (after == null) {
      return jdbc.sql("SELECT " + ACCOUNT_COLUMNS + " FROM accounts WHERE owner = ? ORDER BY opened_at, account_id LIMIT ?")
          .param(owner).param(limit)
          .query((rows, n) -> keyed(rows))
          .list();
    }
    return jdbc.sql("SELECT " + ACCOUNT_COLUMNS + """
             FROM accounts WHERE owner = ?
              AND (opened_at, account_id) > (timestamptz 'epoch' + ? * interval '1 microsecond', ?)
            ORDER BY opened_at, account_id LIMIT ?""")
        .param(owner).param(after.openedAtMicros()).param(after.accountId()).param(limit)
        .query((rows, n) -> keyed(rows))
        .list();
  }

  private static Keyed keyed(ResultSet rows) throws SQLException {
    Instant openedAt = instant(rows, 8);
    Account account = account(rows);
    return new Keyed(account, new Paging.AccountKey(ChronoUnit.MICROS.between(Instant.EPOCH, openedAt), account.accountId()));
  }

  private static Account account(ResultSet rows) throws SQLException {
    return new Account(rows.getObject(1, UUID.class), rows.getString(2), rows.getString(3), rows.getLong(4),
        rows.getString(5), rows.getLong(6), instant(rows, 7));
  }

  private static Instant instant(ResultSet rows, int column) throws SQLException {
    return rows.getObject(column, OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC).toInstant();
  }

  /** An account with the key it is listed by. */
  record Keyed(Account account, Paging.AccountKey key) {
  }
}
