package dev.tally.cli;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Option;

/** Options of the subcommands that write the read model's database (a picocli mixin). */
public final class DatabaseOptions {

  @Option(names = "--database-url", paramLabel = "JDBC_URL",
      description = "The read model's database (default: $TALLY_DATABASE_URL, else jdbc:postgresql://127.0.0.1:5433/tally).")
  private String url;

  @Option(names = "--database-user", paramLabel = "USER",
      description = "Its writer role (default: $TALLY_DATABASE_USER, else tally_writer).")
  private String user;

  @Option(names = "--database-password", paramLabel = "PASSWORD",
      description = "The writer's password (default: $TALLY_DATABASE_PASSWORD, else tally_writer).")
  private String password;

  @Option(names = "--reader-role", paramLabel = "ROLE",
      description = "The role granted read access to new schemas, the query API's login (default: ${DEFAULT-VALUE}).")
  private String readerRole = "tally_reader";

  String readerRole() {
    return readerRole;
  }

  String url() {
    return setting(url, "TALLY_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5433/tally");
  }

  /** A data source for the database, checked by connecting once: a one-line failure otherwise. */
  DataSource connect() {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(url());
    dataSource.setUser(setting(user, "TALLY_DATABASE_USER", "tally_writer"));
    dataSource.setPassword(setting(password, "TALLY_DATABASE_PASSWORD", "tally_writer"));
    dataSource.setConnectTimeout(5);
    dataSource.setLoginTimeout(5);
    try (Connection connection = dataSource.getConnection()) {
      return dataSource;
    } catch (SQLException e) {
      throw new CliException("cannot connect to PostgreSQL at " + url() + ": " + TallyCli.describe(e), e);
    }
  }

  private static String setting(String given, String env, String fallback) {
    if (given != null && !given.isBlank()) {
      return given;
    }
    String fromEnv = System.getenv(env);
    return fromEnv == null || fromEnv.isBlank() ? fallback : fromEnv;
  }
}
