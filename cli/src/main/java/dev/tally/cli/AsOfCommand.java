package dev.tally.cli;

import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.projection.ProjectionBatch;
import dev.tally.runtime.projection.ReadModelSchemas;
import dev.tally.runtime.projection.Relation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally as-of INSTANT}: the read model as it was at an instant, materialised into a schema of
 * its own ({@code tally_asof_<instant>}) straight from the log: every event appended at or before
 * the instant (by record timestamp, Kafka's own time index), for every registered projection,
 * folded by {@link LogFold} and written by the projection's own batches, all in one transaction. The query API serves it when started with
 * {@code tally.query.schema} set to that schema.
 */
@Command(
    name = "as-of",
    mixinStandardHelpOptions = true,
    description = {
        "Materialise the read model as it was at an instant into its own schema.",
        "",
        "Folds every event appended at or before INSTANT (record timestamp) straight from the log into "
            + "schema tally_asof_<instant> (or --schema), with the live model's tables. Serve it with a query "
            + "API started with --tally.query.schema=<schema>; drop it with DROP SCHEMA <schema> CASCADE."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:materialised",
        "1:refused or failed (one line on stderr); nothing created",
        "2:usage error",
        "3:records of the log cannot be folded (each named on stderr); nothing created"})
final class AsOfCommand implements Callable<Integer> {

  /** Exit code: the copy would leave records out, so it is not made. */
  static final int UNFOLDABLE = 3;

  private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String PREFIX = "tally_asof_";

  @Mixin
  private KafkaOptions kafkaOptions;

  @Mixin
  private DatabaseOptions database;

  @Parameters(index = "0", paramLabel = "INSTANT",
      description = "ISO-8601, e.g. 2026-05-01T12:00:00Z (no offset means UTC); not in the future.")
  private String instant;

  @Mixin
  private TopicOptions topicOptions;

  @Option(names = "--schema", paramLabel = "NAME",
      description = "The schema to create, starting with " + PREFIX + " (default: " + PREFIX + "<instant>).")
  private String schema;

  @Option(names = "--replace", description = "Drop the schema first if it exists (else an existing one is refused).")
  private boolean replace;

  @Spec
  private CommandSpec spec;

  private final Registry registry;

  AsOfCommand(Registry registry) {
    this.registry = registry;
  }

  @Override
  public Integer call() {
    Instant now = Instant.now();
    Instant at = Formats.instant(instant, "as-of");
    if (at.isAfter(now)) {
      throw new CliException("as-of " + instant + " is in the future (now is " + now + "): nothing created");
    }
    String target = schema == null ? defaultSchema(at) : schema;
    if (!target.startsWith(PREFIX) || !target.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new CliException("--schema " + target + " must be a lower-case SQL name starting with " + PREFIX);
    }
    EventTopics topics = topicOptions.of(registry.projectedTypes());
    List<Projection<?>> projections = registry.projections();
    DataSource db = database.connect();
    try (Kafka kafka = kafkaOptions.connect()) {
      Map<String, Map<TopicPartition, Long>> ends = new HashMap<>();
      for (Projection<?> projection : projections) {
        String topic = topics.of(projection.sourceAggregateType());
        if (!ends.containsKey(topic)) {
          ends.put(topic, endsAt(kafka, topic, at));
        }
      }
      prepare(db, target, projections);
      List<Copied> copied;
      try {
        copied = materialise(kafka, db, target, projections, topics, ends);
      } catch (RuntimeException e) {
        drop(db, target);
        throw e;
      }
      if (copied.stream().anyMatch(c -> !c.unfoldable().isEmpty())) {
        drop(db, target);
        PrintWriter err = spec.commandLine().getErr();
        for (Copied c : copied) {
          if (!c.unfoldable().isEmpty()) {
            err.printf("tally as-of: %,d records of %s cannot be folded by projection %s, so a copy as of %s would"
                + " leave them out; nothing created%n", c.unfoldable().size(), c.topic(), c.projection(), at);
            Formats.unfoldable(c.unfoldable(), err);
          }
        }
        return UNFOLDABLE;
      }
      print(at, target, copied);
      return TallyCli.OK;
    }
  }

  static String defaultSchema(Instant at) {
    String name = PREFIX + NAME.format(at).toLowerCase(Locale.ROOT);
    long millis = at.getNano() / 1_000_000;
    return millis == 0 ? name : name + "_" + String.format("%03d", millis);
  }

  /** Per partition, the first offset after the instant: Kafka's time index, else the end of the partition. */
  private static Map<TopicPartition, Long> endsAt(Kafka kafka, String topic, Instant at) {
    List<TopicPartition> partitions = kafka.partitions(topic);
    Map<TopicPartition, Long> starts = kafka.offsets(partitions, OffsetSpec.earliest(), "start offsets of " + topic);
    starts.forEach((partition, start) -> {
      if (start > 0) {
        throw new CliException(partition + " starts at offset " + start + ": earlier events were deleted, so the "
            + "model as of " + at + " cannot be computed; nothing created");
      }
    });
    Map<TopicPartition, Long> after = kafka.offsets(partitions, OffsetSpec.forTimestamp(at.toEpochMilli() + 1),
        "offsets after " + at);
    Map<TopicPartition, Long> latest = kafka.offsets(partitions, OffsetSpec.latest(), "end offsets of " + topic);
    Map<TopicPartition, Long> ends = new TreeMap<>(Kafka.PARTITION_ORDER);
    for (TopicPartition partition : partitions) {
      long offset = after.getOrDefault(partition, -1L);
      ends.put(partition, offset < 0 ? latest.get(partition) : offset);
    }
    return ends;
  }

  private void prepare(DataSource db, String target, List<Projection<?>> projections) {
    try (Connection connection = db.getConnection();
         PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
      exists.setString(1, target);
      boolean found = exists.executeQuery().next();
      if (found && !replace) {
        throw new CliException("schema " + target + " already exists: use --replace to build it again, or --schema");
      }
      if (found) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("DROP SCHEMA " + target + " CASCADE");
        }
      }
    } catch (SQLException e) {
      throw new CliException("cannot prepare schema " + target + ": " + TallyCli.describe(e), e);
    }
    ReadModelSchemas.migrate(db, target, database.readerRole(), projections);
  }

  /**
   * Folds each projection's log into its tables, through its own batches (the projector's code for
   * its rows), in one transaction, with the checkpoints of where each partition stopped; commits
   * only if every record could be folded.
   */
  private List<Copied> materialise(Kafka kafka, DataSource db, String target, List<Projection<?>> projections,
      EventTopics topics, Map<String, Map<TopicPartition, Long>> ends) {
    try (Connection connection = db.getConnection()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET LOCAL search_path TO " + target);
      }
      List<Copied> copied = new ArrayList<>();
      for (Projection<?> projection : projections) {
        String topic = topics.of(projection.sourceAggregateType());
        copied.add(copy(kafka, connection, projection, topic, ends.get(topic)));
      }
      if (copied.stream().allMatch(c -> c.unfoldable().isEmpty())) {
        connection.commit();
      } else {
        connection.rollback();
      }
      return copied;
    } catch (SQLException e) {
      throw new CliException("cannot write schema " + target + ": " + TallyCli.describe(e), e);
    }
  }

  private static <E> Copied copy(Kafka kafka, Connection connection, Projection<E> projection, String topic,
      Map<TopicPartition, Long> ends) throws SQLException {
    Batches<E> batches = new Batches<>(projection, connection);
    LogFold.Result<?> fold = LogFold.fold(kafka, projection, projection.view(), ends, (event, state) -> batches.add(event),
        Map.of());
    batches.flush();
    try (PreparedStatement checkpoint = connection.prepareStatement("INSERT INTO projection_checkpoints"
        + " (projection, topic, partition, applied_offset, last_event_timestamp, updated_at) VALUES (?, ?, ?, ?, ?, now())")) {
      for (Map.Entry<Integer, LogFold.Position> position : fold.positions().entrySet()) {
        checkpoint.setString(1, projection.name());
        checkpoint.setString(2, topic);
        checkpoint.setInt(3, position.getKey());
        checkpoint.setLong(4, position.getValue().offset());
        checkpoint.setTimestamp(5, Timestamp.from(Instant.ofEpochMilli(position.getValue().timestamp())));
        checkpoint.addBatch();
      }
      checkpoint.executeBatch();
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    for (Relation relation : projection.relations()) {
      if (relation.isVerified()) {
        try (Statement statement = connection.createStatement();
             ResultSet count = statement.executeQuery("SELECT count(*) FROM " + relation.name())) {
          count.next();
          rows.put(relation.name(), count.getLong(1));
        }
      }
    }
    return new Copied(projection.name(), topic, fold.records(), rows, fold.unfoldable());
  }

  /** What one projection's copy holds, and the records it could not fold. */
  private record Copied(String projection, String topic, long records, Map<String, Long> rows,
      List<LogFold.Unfoldable> unfoldable) {
  }

  private void print(Instant at, String target, List<Copied> copied) {
    PrintWriter out = spec.commandLine().getOut();
    String rows = copied.stream().flatMap(c -> c.rows().entrySet().stream())
        .map(relation -> String.format("%,d %s", relation.getValue(), relation.getKey())).collect(Collectors.joining(", "));
    Map<String, Long> records = new LinkedHashMap<>();
    copied.forEach(c -> records.put(c.topic(), c.records()));
    String logs = records.entrySet().stream().map(topic -> String.format("%,d events of %s", topic.getValue(),
        topic.getKey())).collect(Collectors.joining(", "));
    out.printf("as of %s: %s, from %s, in schema %s%n", at, rows, logs, target);
    // The stack's token keys: read-your-writes tokens from the command API are checked with them.
    String home = System.getenv().getOrDefault("TALLY_HOME", ".tally");
    out.printf("serve it: java -jar query-api/target/tally-query-api-*.jar --server.port=8091"
        + " --spring.datasource.url=%s --tally.query.schema=%s --tally.tokens.key-file=%s%n",
        database.url(), target, Path.of(home, "token-keys"));
    out.flush();
  }

  private static void drop(DataSource db, String target) {
    try (Connection connection = db.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + target + " CASCADE");
    } catch (SQLException e) {
      // the failure being reported matters more; the schema is left for DROP SCHEMA by hand
    }
  }

  /**
   * A projection's events written through its own batches, {@value #BATCH} events at a time: what
   * the projector would write for them, without holding the whole log in memory.
   */
  private static final class Batches<E> {
    private static final int BATCH = 10_000;
    private final Projection<E> projection;
    private final Connection connection;
    private ProjectionBatch<E> batch;
    private int events;

    Batches(Projection<E> projection, Connection connection) {
      this.projection = projection;
      this.connection = connection;
      this.batch = projection.newBatch();
    }

    void add(E event) {
      batch.add(event);
      if (++events == BATCH) {
        flush();
      }
    }

    void flush() {
      try {
        if (!batch.isEmpty()) {
          batch.write(connection);
        }
      } catch (SQLException e) {
        throw new CliException("cannot write projection " + projection.name() + ": " + TallyCli.describe(e), e);
      }
      batch = projection.newBatch();
      events = 0;
    }
  }
}
