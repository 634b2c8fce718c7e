package dev.tally.cli;

import dev.tally.runtime.projection.Projection;
import dev.tally.ledger.Ledger;
import dev.tally.account.projection.AccountProjection;
import dev.tally.account.projection.AccountRow;
import dev.tally.account.projection.AccountView;
import dev.tally.runtime.projection.ReadModelSchemas;
import dev.tally.schemas.AggregateTopics;
import dev.tally.schemas.Aggregates;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally as-of INSTANT}: the read model as it was at an instant, materialised into a schema of
 * its own ({@code tally_asof_<instant>}) straight from the log: every event appended at or before
 * the instant (by record timestamp, Kafka's own time index), folded by {@link LogFold} and
 * written with {@code COPY} in one transaction. The query API serves it when started with
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

  @Option(names = "--topic", paramLabel = "TOPIC", description = "The events topic (default: ${DEFAULT-VALUE}).")
  private String topic = AggregateTopics.of(Aggregates.ACCOUNT).events();

  @Option(names = "--schema", paramLabel = "NAME",
      description = "The schema to create, starting with " + PREFIX + " (default: " + PREFIX + "<instant>).")
  private String schema;

  @Option(names = "--replace", description = "Drop the schema first if it exists (else an existing one is refused).")
  private boolean replace;

  /** Money lines written by the last {@link #materialise}. */
  private long transactions;

  @Spec
  private CommandSpec spec;

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
    DataSource db = database.connect();
    try (Kafka kafka = kafkaOptions.connect()) {
      Map<TopicPartition, Long> ends = endsAt(kafka, at);
      prepare(db, target);
      LogFold.Result<AccountRow> fold;
      try {
        fold = materialise(kafka, db, target, ends);
      } catch (RuntimeException e) {
        drop(db, target);
        throw e;
      }
      if (!fold.unfoldable().isEmpty()) {
        drop(db, target);
        PrintWriter err = spec.commandLine().getErr();
        err.printf("tally as-of: %,d records of %s cannot be folded, so a copy as of %s would leave them out; "
            + "nothing created%n", fold.unfoldable().size(), topic, at);
        Formats.unfoldable(fold.unfoldable(), err);
        return UNFOLDABLE;
      }
      print(at, target, fold);
      return TallyCli.OK;
    }
  }

  static String defaultSchema(Instant at) {
    String name = PREFIX + NAME.format(at).toLowerCase(Locale.ROOT);
    long millis = at.getNano() / 1_000_000;
    return millis == 0 ? name : name + "_" + String.format("%03d", millis);
  }

  /** Per partition, the first offset after the instant: Kafka's time index, else the end of the partition. */
  private Map<TopicPartition, Long> endsAt(Kafka kafka, Instant at) {
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

  private void prepare(DataSource db, String target) {
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
    ReadModelSchemas.migrate(db, target, database.readerRole(), Projection.of(Ledger.SLICES));
  }

  /**
   * Folds the log into the schema's tables: money lines streamed with COPY as they are folded, then
   * accounts; commits only if every record could be folded.
   */
  private LogFold.Result<AccountRow> materialise(Kafka kafka, DataSource db, String target, Map<TopicPartition, Long> ends) {
    try (Connection connection = db.getConnection()) {
      connection.setAutoCommit(false);
      var copy = connection.unwrap(PGConnection.class).getCopyAPI();
      LogFold.Result<AccountRow> fold;
      try (CopyWriter lines = new CopyWriter(copy.copyIn("COPY " + target + ".account_transactions (account_id, version, "
          + "type, amount, balance_after, reference, occurred_at, event_id) FROM STDIN"))) {
        fold = LogFold.fold(kafka, AccountProjection.PROJECTION, AccountView.VIEW, ends, (event, row) -> AccountView.line(event)
            .ifPresent(line -> {
              transactions++;
              lines.row(line.accountId(), line.version(), line.type(), line.amount(),
                  line.balanceAfter(), line.reference(), line.occurredAt(), line.eventId());
            }), Map.of());
      }
      try (CopyWriter accounts = new CopyWriter(copy.copyIn("COPY " + target + ".accounts (account_id, owner, currency, "
          + "balance, status, version, opened_at, updated_at) FROM STDIN"))) {
        for (AccountRow a : fold.states().values()) {
          if (a.opened()) {
            accounts.row(a.accountId(), a.owner(), a.currency(), a.balance(), a.status(), a.version(), a.openedAt(),
                a.updatedAt());
          }
        }
      }
      try (PreparedStatement checkpoint = connection.prepareStatement("INSERT INTO " + target + ".projection_checkpoints"
          + " (projection, topic, partition, applied_offset, last_event_timestamp, updated_at) VALUES (?, ?, ?, ?, ?, now())")) {
        for (Map.Entry<Integer, LogFold.Position> position : fold.positions().entrySet()) {
          checkpoint.setString(1, RebuildCommand.PROJECTION);
          checkpoint.setString(2, topic);
          checkpoint.setInt(3, position.getKey());
          checkpoint.setLong(4, position.getValue().offset());
          checkpoint.setTimestamp(5, Timestamp.from(Instant.ofEpochMilli(position.getValue().timestamp())));
          checkpoint.addBatch();
        }
        checkpoint.executeBatch();
      }
      if (fold.unfoldable().isEmpty()) {
        connection.commit();
      } else {
        connection.rollback();
      }
      return fold;
    } catch (SQLException e) {
      throw new CliException("cannot write schema " + target + ": " + TallyCli.describe(e), e);
    }
  }

  private void print(Instant at, String target, LogFold.Result<AccountRow> fold) {
    PrintWriter out = spec.commandLine().getOut();
    long accounts = fold.states().values().stream().filter(AccountRow::opened).count();
    out.printf("as of %s: %,d accounts, %,d transactions, from %,d events of %s, in schema %s%n", at, accounts,
        transactions, fold.records(), topic, target);
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

  /** Rows in PostgreSQL's COPY text format, buffered into the copy stream. */
  private static final class CopyWriter implements AutoCloseable {
    private final CopyIn copy;
    private final StringBuilder buffer = new StringBuilder(1 << 16);

    CopyWriter(CopyIn copy) {
      this.copy = copy;
    }

    void row(Object... values) {
      for (int i = 0; i < values.length; i++) {
        if (i > 0) {
          buffer.append('\t');
        }
        escape(String.valueOf(values[i]));
      }
      buffer.append('\n');
      if (buffer.length() > 60_000) {
        flush();
      }
    }

    private void escape(String value) {
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        switch (c) {
          case '\\' -> buffer.append("\\\\");
          case '\t' -> buffer.append("\\t");
          case '\n' -> buffer.append("\\n");
          case '\r' -> buffer.append("\\r");
          default -> buffer.append(c);
        }
      }
    }

    private void flush() {
      byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
      buffer.setLength(0);
      try {
        copy.writeToCopy(bytes, 0, bytes.length);
      } catch (SQLException e) {
        throw new CliException("COPY failed: " + TallyCli.describe(e), e);
      }
    }

    @Override
    public void close() throws SQLException {
      flush();
      copy.endCopy();
    }
  }
}
