package dev.tally.cli;

import dev.tally.runtime.projection.ProjectionView;
import dev.tally.runtime.projection.Relation;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Row counts and an order-independent checksum of each verified relation of a projection: each row
 * is written as text, hashed with MD5, and the first 60 bits of the hashes are summed. PostgreSQL
 * computes it over a schema's tables with each relation's row-text SQL ({@link #of}), and the same
 * text is rendered by the projection's view from a {@link LogFold} ({@link Builder}), so the two are
 * equal exactly when every row is.
 *
 * @param relations count and checksum by relation name, in the projection's order
 */
record ModelDigest(Map<String, Checksum> relations) {

  /** How many rows a relation has, and the sum of their hashes. */
  record Checksum(long rows, BigInteger sum) {
    static final Checksum EMPTY = new Checksum(0, BigInteger.ZERO);
  }

  /** The digest of the verified relations of {@code schema}, in the connection's current snapshot. */
  static ModelDigest of(Connection connection, String schema, List<Relation> verified) throws SQLException {
    Map<String, Checksum> relations = new LinkedHashMap<>();
    for (Relation relation : verified) {
      try (Statement statement = connection.createStatement();
           ResultSet rows = statement.executeQuery("SELECT count(*), coalesce(sum(('x' || substr(md5("
               + relation.rowText() + "), 1, 15))::bit(60)::bigint), 0) FROM " + schema + "." + relation.name())) {
        rows.next();
        relations.put(relation.name(), new Checksum(rows.getLong(1), rows.getBigDecimal(2).toBigIntegerExact()));
      }
    }
    return new ModelDigest(relations);
  }

  Checksum checksum(String relation) {
    return relations.getOrDefault(relation, Checksum.EMPTY);
  }

  /**
   * Reads every row of {@code relation} in {@code schema} (streamed, in the connection's snapshot)
   * and hands the key of each that is not in {@code expected} as that text, then of each expected
   * row PostgreSQL does not hold, to {@code differing}.
   */
  static void differingKeys(Connection connection, String schema, Relation relation, Map<String, String> expected,
      Consumer<String> differing) throws SQLException {
    Set<String> seen = new HashSet<>();
    try (Statement statement = connection.createStatement()) {
      statement.setFetchSize(10_000);
      try (ResultSet rows = statement.executeQuery("SELECT " + relation.key() + ", " + relation.rowText() + " FROM "
          + schema + "." + relation.name())) {
        while (rows.next()) {
          String key = rows.getString(1);
          seen.add(key);
          if (!rows.getString(2).equals(expected.get(key))) {
            differing.accept(key);
          }
        }
      }
    }
    expected.keySet().stream().filter(key -> !seen.contains(key)).sorted().forEach(differing);
  }

  /** Builds the digest of a fold, row by row, with the same row text as {@link #of}; one per thread. */
  static final class Builder {
    private final MessageDigest md5;
    private final Map<String, Sum> relations = new HashMap<>();

    Builder() {
      try {
        md5 = MessageDigest.getInstance("MD5");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has MD5", e);
      }
    }

    void add(ProjectionView.Row row) {
      relations.computeIfAbsent(row.relation(), r -> new Sum()).add(hash(row.text()));
    }

    /** The relations it has seen rows of. */
    Set<String> relations() {
      return relations.keySet();
    }

    /** Adds what another builder has seen (of other rows). */
    void add(Builder other) {
      other.relations.forEach((relation, sum) -> relations.computeIfAbsent(relation, r -> new Sum()).add(sum));
    }

    /** The digest of {@code verified}, each in it (a relation without rows has count and sum 0). */
    ModelDigest build(List<Relation> verified) {
      Map<String, Checksum> digest = new LinkedHashMap<>();
      for (Relation relation : verified) {
        Sum sum = relations.getOrDefault(relation.name(), new Sum());
        digest.put(relation.name(), new Checksum(sum.count, sum.total()));
      }
      return new ModelDigest(digest);
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
