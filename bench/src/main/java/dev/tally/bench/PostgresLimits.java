package dev.tally.bench;

import dev.tally.runtime.projection.Projection;
import dev.tally.ledger.Ledger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import dev.tally.runtime.projection.ReadModelSchemas;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL's own limits on this machine, on scratch tables shaped like the read model's (the
 * projector's V1 migration) and dropped afterwards: {@code COPY} of account transaction rows in
 * one statement through pgjdbc's CopyManager, and a loop of prepared primary-key selects on an
 * accounts-shaped table from one and from two connections.
 */
final class PostgresLimits {

  /** A schema of the read model's own tables (its migrations), made for the run and dropped after. */
  private static final String SCRATCH = "tally_bench_scratch";
  private static final String TRANSACTIONS = SCRATCH + ".account_transactions";
  private static final String ACCOUNTS = SCRATCH + ".accounts";
  private static final int ROWS_PER_ACCOUNT = 100;

  private PostgresLimits() {
  }

  static Connection connect(Stack.Ports ports) throws SQLException {
    return DriverManager.getConnection(ports.jdbc(), "tally_writer", "tally_writer");
  }

  /** COPY rows/s and point selects/s into {@code results}. */
  static void measure(Stack.Ports ports, long copyRows, int accounts, Duration selectDuration, Map<String, Object> results)
      throws Exception {
    try (Connection connection = connect(ports); Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + SCRATCH + " CASCADE");
      PGSimpleDataSource dataSource = new PGSimpleDataSource();
      dataSource.setURL(ports.jdbc());
      dataSource.setUser("tally_writer");
      dataSource.setPassword("tally_writer");
      ReadModelSchemas.migrate(dataSource, SCRATCH, "tally_reader", Projection.of(Ledger.SLICES));
      try {
        measureCopy(connection, copyRows, results);
        measurePointSelects(ports, connection, accounts, selectDuration, results);
      } finally {
        statement.execute("DROP SCHEMA IF EXISTS " + SCRATCH + " CASCADE");
      }
    }
  }

  private static void measureCopy(Connection connection, long copyRows, Map<String, Object> results) throws Exception {
    long start = System.nanoTime();
    copyTransactions(connection, copyRows);
    double seconds = (System.nanoTime() - start) / 1e9;
    results.put("copy_rows", copyRows);
    results.put("copy_rows_per_s", copyRows / seconds);
    System.out.printf("  PostgreSQL COPY: %,d rows in %.1f s = %,.0f rows/s%n", copyRows, seconds, copyRows / seconds);
  }

  private static void measurePointSelects(Stack.Ports ports, Connection connection, int accounts, Duration selectDuration,
      Map<String, Object> results) throws Exception {
    try (Statement statement = connection.createStatement()) {
      List<UUID> ids = copyAccounts(connection, accounts);
      statement.execute("ANALYZE " + ACCOUNTS);
      for (int threads : new int[] {1, 2}) {
        double rate = pointSelects(ports, ids, threads, selectDuration);
        results.put("jdbc_point_selects_per_s_" + threads + "_thread" + (threads == 1 ? "" : "s"), rate);
        System.out.printf("  JDBC point select, %d connection%s: %,.0f queries/s%n", threads, threads == 1 ? "" : "s", rate);
      }
    }
  }

  private static void copyTransactions(Connection connection, long rows) throws SQLException, IOException {
    int accounts = (int) Math.max(1, rows / ROWS_PER_ACCOUNT);
    String[] ids = new String[accounts];
    for (int i = 0; i < accounts; i++) {
      ids[i] = UUID.randomUUID().toString();
    }
    CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI()
        .copyIn("COPY " + TRANSACTIONS + " FROM STDIN (FORMAT text)");
    StringBuilder chunk = new StringBuilder(1 << 20);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long[] balances = new long[accounts];
    for (long row = 0; row < rows; row++) {
      int account = (int) (row % accounts);
      long version = row / accounts + 2;
      long amount = 1 + random.nextInt(100_000);
      balances[account] += amount;
      chunk.append(ids[account]).append('\t').append(version).append("\tDEPOSIT\t").append(amount).append('\t')
          .append(balances[account]).append("\td-").append(version).append("\t2026-01-01 00:00:00.123456+00\t")
          .append(UUID.randomUUID()).append('\n');
      if (chunk.length() > (1 << 20) - 512) {
        byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        chunk.setLength(0);
      }
    }
    byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
    copy.writeToCopy(bytes, 0, bytes.length);
    long copied = copy.endCopy();
    if (copied != rows) {
      throw new IllegalStateException("COPY wrote " + copied + " rows, expected " + rows);
    }
  }

  private static List<UUID> copyAccounts(Connection connection, int accounts) throws SQLException, IOException {
    List<UUID> ids = new ArrayList<>(accounts);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < accounts; i++) {
      UUID id = UUID.randomUUID();
      ids.add(id);
      text.append(id).append("\towner-").append(i % 100).append("\tEUR\t").append(i).append("\tOPEN\t")
          .append(1 + i % 50).append("\t2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\n");
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + ACCOUNTS + " FROM STDIN (FORMAT text)");
    copy.writeToCopy(bytes, 0, bytes.length);
    copy.endCopy();
    return ids;
  }

  private static double pointSelects(Stack.Ports ports, List<UUID> ids, int threads, Duration duration) throws Exception {
    AtomicLong done = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
    long warmUpEnd = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    long end = warmUpEnd + duration.toNanos();
    for (int t = 0; t < threads; t++) {
      workers.add(Thread.ofPlatform().start(() -> {
        try (Connection connection = connect(ports); PreparedStatement select = connection.prepareStatement(
            "SELECT account_id, owner, currency, balance, status, version, updated_at FROM " + ACCOUNTS
                + " WHERE account_id = ?")) {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          long count = 0;
          for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
            select.setObject(1, ids.get(random.nextInt(ids.size())));
            try (ResultSet row = select.executeQuery()) {
              if (!row.next() || row.getLong(6) < 1) {
                throw new IllegalStateException("a point select found no row");
              }
              row.getString(2);
              row.getTimestamp(7);
            }
            if (now >= warmUpEnd) {
              count++;
            }
          }
          done.addAndGet(count);
        } catch (Exception e) {
          failures.add(e);
        }
      }));
    }
    for (Thread worker : workers) {
      worker.join();
    }
    if (!failures.isEmpty()) {
      throw failures.getFirst();
    }
    return done.get() / (duration.toNanos() / 1e9);
  }
}
