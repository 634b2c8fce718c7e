package dev.tally.cli;

import dev.tally.account.projection.AccountRow;
import dev.tally.account.projection.TransactionLine;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Row counts and an order-independent checksum of a read model's accounts and money lines: each
 * row is written as text, hashed with MD5, and the first 60 bits of the hashes are summed.
 * PostgreSQL computes it over a schema's tables ({@link #of(Connection, String)}), and the same
 * text is built from the rows of a {@link LogFold} ({@link Builder}), so the two are equal exactly
 * when every row is.
 */
record ModelDigest(long accounts, BigInteger accountsChecksum, long lines, BigInteger linesChecksum) {

  private static final String ACCOUNT_TEXT = """
      account_id || '|' || owner || '|' || currency || '|' || balance || '|' || status || '|' || version
        || '|' || (extract(epoch FROM opened_at) * 1000000)::bigint || '|' || (extract(epoch FROM updated_at) * 1000000)::bigint""";
  private static final String LINE_TEXT = """
      account_id || '|' || version || '|' || type || '|' || amount || '|' || balance_after || '|' || reference
        || '|' || (extract(epoch FROM occurred_at) * 1000000)::bigint || '|' || event_id""";

  /** The digest of the tables of {@code schema}, in the connection's current snapshot. */
  static ModelDigest of(Connection connection, String schema) throws SQLException {
    long[] accounts = new long[1];
    BigInteger accountsSum = sum(connection, ACCOUNT_TEXT, schema + ".accounts", accounts);
    long[] lines = new long[1];
    BigInteger linesSum = sum(connection, LINE_TEXT, schema + ".account_transactions", lines);
    return new ModelDigest(accounts[0], accountsSum, lines[0], linesSum);
  }

  private static BigInteger sum(Connection connection, String text, String table, long[] count) throws SQLException {
    try (Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT count(*), coalesce(sum(('x' || substr(md5(" + text
             + "), 1, 15))::bit(60)::bigint), 0) FROM " + table)) {
      rows.next();
      count[0] = rows.getLong(1);
      return rows.getBigDecimal(2).toBigIntegerExact();
    }
  }

  /** An account row as text, as PostgreSQL writes it in {@link #of}. */
  static String text(AccountRow a) {
    return a.accountId().toString() + '|' + a.owner() + '|' + a.currency() + '|' + a.balance() + '|' + a.status() + '|'
        + a.version() + '|' + micros(a.openedAt()) + '|' + micros(a.updatedAt());
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  /** Every account row of {@code schema} as text, by account id: to name the accounts that differ. */
  static java.util.Map<String, String> accountRows(Connection connection, String schema) throws SQLException {
    java.util.Map<String, String> rows = new java.util.HashMap<>();
    try (Statement statement = connection.createStatement();
         ResultSet result = statement.executeQuery("SELECT account_id::text, " + ACCOUNT_TEXT + " FROM " + schema + ".accounts")) {
      while (result.next()) {
        rows.put(result.getString(1), result.getString(2));
      }
    }
    return rows;
  }

  /** Builds the digest of a fold, row by row, with the same row text as {@link #of}; one per thread. */
  static final class Builder {
    private final MessageDigest md5;
    private final Sum accounts = new Sum();
    private final Sum lines = new Sum();

    Builder() {
      try {
        md5 = MessageDigest.getInstance("MD5");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has MD5", e);
      }
    }

    /** Adds an account, if it has been opened (the model has no row for one that was not). */
    void account(AccountRow a) {
      if (a.opened()) {
        accounts.add(hash(text(a)));
      }
    }

    void line(TransactionLine l) {
      lines.add(hash(l.accountId().toString() + '|' + l.version() + '|' + l.type() + '|' + l.amount() + '|'
          + l.balanceAfter() + '|' + l.reference() + '|' + micros(l.occurredAt()) + '|' + l.eventId()));
    }

    /** Adds what another builder has seen (of other rows). */
    void add(Builder other) {
      accounts.add(other.accounts);
      lines.add(other.lines);
    }

    ModelDigest build() {
      return new ModelDigest(accounts.count, accounts.total(), lines.count, lines.total());
    }

    /** The first 60 bits of the text's MD5: what PostgreSQL's {@code ('x' || substr(md5(t), 1, 15))::bit(60)::bigint} is. */
    private long hash(String text) {
      byte[] digest = md5.digest(text.getBytes(StandardCharsets.UTF_8));
      long first = 0;
      for (int i = 0; i < 8; i++) {
        first = (first << 8) | (digest[i] & 0xff);
      }
      return first >>> 4;
    }
  }

  /** A count and an exact sum of non-negative longs, in two words (no allocation per row). */
  private static final class Sum {
    private long count;
    private long low;
    private long high;

    void add(long value) {
      count++;
      long before = low;
      low += value;
      if (Long.compareUnsigned(low, before) < 0) {
        high++;
      }
    }

    void add(Sum other) {
      count += other.count;
      long before = low;
      low += other.low;
      high += other.high + (Long.compareUnsigned(low, before) < 0 ? 1 : 0);
    }

    BigInteger total() {
      return BigInteger.valueOf(high).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(low)));
    }
  }
}
