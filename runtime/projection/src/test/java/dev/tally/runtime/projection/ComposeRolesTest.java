package dev.tally.runtime.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.testing.TestInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database roles docker-compose's PostgreSQL gets on its first start ({@code docs/compose/roles.sql},
 * run here as psql would run it): the projector's role builds and drops the read model with no
 * other right, and the query API's role reads the serving views and nothing else.
 */
class ComposeRolesTest {

  private static final List<Projection<?>> PROJECTIONS = List.of(ToyProjection.PROJECTION);

  private static final Path ROLES = Path.of("").toAbsolutePath().getParent().getParent().resolve("docs/compose/roles.sql");
  private static final Pattern PSQL_VARIABLE = Pattern.compile(":'([a-z_]+)'|:\"([a-z_]+)\"");

  private TestInfrastructure.Database database;
  private String writer;
  private String reader;

  @BeforeEach
  void rolesAsComposeCreatesThem() throws Exception {
    database = TestInfrastructure.newDatabase();
    writer = TestInfrastructure.uniqueName("writer").replace('-', '_');
    reader = TestInfrastructure.uniqueName("reader").replace('-', '_');
    String script = psql(Files.readString(ROLES), Map.of("database", database.database(), "writer_role", writer,
        "writer_password", "writer's secret", "reader_role", reader, "reader_password", "reader's secret"));
    try (Connection superuser = database.connect(); Statement statement = superuser.createStatement()) {
      statement.execute(script);
    }
  }

  @Test
  void theWriterBuildsAndDropsTheReadModelAndNothingElse() throws Exception {
    Generations generations = new Generations(as(writer, "writer's secret"), reader, PROJECTIONS);
    generations.bootstrap("compose-projector");
    generations.fail(generations.startBuilding(), "dropped by the writer");
    ReadModelSchemas.migrate(as(writer, "writer's secret"), "tally_asof_compose", reader, PROJECTIONS);

    try (Connection connection = as(writer, "writer's secret").getConnection(); Statement statement = connection.createStatement()) {
      assertThat(row(statement, "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls FROM pg_roles"
          + " WHERE rolname = current_user")).isEqualTo("f");
      assertThat(row(statement, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"))
          .as("the database's owner").isNotEqualTo(writer);
      assertThat(row(statement, "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace"
          + " WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"))
          .isEqualTo("tally_asof_compose,tally_control,tally_read,tally_read_g1");
      for (String forbidden : List.of("CREATE DATABASE compose_other", "CREATE ROLE compose_other",
          "CREATE TABLE public.compose_other (id int)")) {
        assertThatThrownBy(() -> statement.execute(forbidden)).as(forbidden).isInstanceOf(SQLException.class)
            .hasMessageContaining("permission denied");
      }
    }
  }

  @Test
  void theReaderReadsTheServingViewsAndAsOfCopiesOnly() throws Exception {
    new Generations(as(writer, "writer's secret"), reader, PROJECTIONS).bootstrap("compose-projector");
    ReadModelSchemas.migrate(as(writer, "writer's secret"), "tally_asof_compose", reader, PROJECTIONS);

    try (Connection connection = as(reader, "reader's secret").getConnection(); Statement statement = connection.createStatement()) {
      assertThat(row(statement, "SELECT count(*) FROM tally_read.toys")).isEqualTo("0");
      assertThat(row(statement, "SELECT count(*) FROM tally_asof_compose.toys")).isEqualTo("0");
      for (String forbidden : List.of("SELECT count(*) FROM tally_read_g1.toys",
          "SELECT count(*) FROM tally_control.generations", "UPDATE tally_read.toys SET value = 0",
          "CREATE SCHEMA compose_other", "CREATE TABLE public.compose_other (id int)")) {
        assertThatThrownBy(() -> statement.execute(forbidden)).as(forbidden).isInstanceOf(SQLException.class)
            .hasMessageContaining("permission denied");
      }
    }
  }

  private DataSource as(String role, String password) {
    return new TestInfrastructure.Database(database.host(), database.port(), database.database(), role, password)
        .dataSource();
  }

  private static String row(Statement statement, String sql) throws SQLException {
    try (ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }

  /** psql's variable interpolation: {@code :'name'} as a quoted literal, {@code :"name"} as a quoted identifier. */
  private static String psql(String script, Map<String, String> variables) {
    Matcher matcher = PSQL_VARIABLE.matcher(script);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String replacement = matcher.group(1) != null
          ? "'" + variables.get(matcher.group(1)).replace("'", "''") + "'"
          : "\"" + variables.get(matcher.group(2)).replace("\"", "\"\"") + "\"";
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
