package dev.tally.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalPostgresTest {

  @TempDir
  Path dir;

  @Test
  void keepsItsDataAcrossRestartsAndProvisionsTheDatabaseAndRolesOnce() throws Exception {
    Path data = dir.resolve("postgres");
    int port = freePort();
    try (EmbeddedPostgres first = LocalPostgres.start(data, port)) {
      LocalPostgres.provision(first.getPostgresDatabase());
      try (Connection c = first.getDatabase(LocalPostgres.WRITER_ROLE, LocalPostgres.DATABASE).getConnection();
           Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kept (value int)");
        s.execute("INSERT INTO kept VALUES (42)");
      }
    }
    LocalPostgres.checkDataDirectory(data);
    try (EmbeddedPostgres second = LocalPostgres.start(data, port)) {
      assertThatCode(() -> LocalPostgres.provision(second.getPostgresDatabase())).doesNotThrowAnyException();
      try (Connection c = second.getDatabase(LocalPostgres.READER_ROLE, LocalPostgres.DATABASE).getConnection();
           Statement s = c.createStatement();
           ResultSet rows = s.executeQuery("SELECT current_user, (SELECT count(*) FROM pg_tables WHERE tablename = 'kept')")) {
        rows.next();
        assertThat(rows.getString(1)).isEqualTo(LocalPostgres.READER_ROLE);
        assertThat(rows.getInt(2)).isEqualTo(1);
      }
    }
  }

  /** A commit it acknowledged survives a crash of the server or of the machine (ADR 25). */
  @Test
  void runsWithFsyncAndSynchronousCommitOnAcrossRestarts() throws Exception {
    Path data = dir.resolve("durable");
    int port = freePort();
    for (int start = 1; start <= 2; start++) {
      try (EmbeddedPostgres postgres = LocalPostgres.start(data, port);
           Connection c = postgres.getPostgresDatabase().getConnection()) {
        assertThat(setting(c, "fsync")).as("fsync, start %d", start).isEqualTo("on");
        assertThat(setting(c, "synchronous_commit")).as("synchronous_commit, start %d", start).isEqualTo("on");
        assertThat(setting(c, "full_page_writes")).as("full_page_writes, start %d", start).isEqualTo("on");
      }
    }
  }

  private static String setting(Connection connection, String name) throws Exception {
    try (Statement s = connection.createStatement(); ResultSet rows = s.executeQuery("SHOW " + name)) {
      rows.next();
      return rows.getString(1);
    }
  }

  /** `./tally up` works on Linux and macOS, x86-64 and arm64: one binary archive of each, on the classpath. */
  @ParameterizedTest
  @ValueSource(strings = {"linux-x86_64", "linux-arm_64", "darwin-x86_64", "darwin-arm_64"})
  void carriesPostgreSqlForEveryMachineEmbeddedPostgresPublishes(String platform) throws Exception {
    assertThat(Collections.list(LocalPostgres.class.getClassLoader().getResources("postgres-" + platform + ".txz")))
        .hasSize(1);
  }

  @Test
  void acceptsAMissingOrEmptyDirectory() throws Exception {
    LocalPostgres.checkDataDirectory(dir.resolve("missing"));
    LocalPostgres.checkDataDirectory(Files.createDirectory(dir.resolve("empty")));
  }

  @Test
  void refusesADirectoryThatHoldsSomethingElse() throws Exception {
    Path damaged = Files.createDirectory(dir.resolve("damaged"));
    Files.writeString(damaged.resolve("postgresql.conf"), "");
    assertThatThrownBy(() -> LocalPostgres.checkDataDirectory(damaged))
        .hasMessageContaining("is damaged (no PG_VERSION)")
        .hasMessageContaining("./tally reset");
  }

  @Test
  void refusesAFileWhereTheDirectoryShouldBe() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> LocalPostgres.checkDataDirectory(file)).hasMessageContaining("is not a directory");
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
