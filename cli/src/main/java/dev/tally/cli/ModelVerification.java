package dev.tally.cli;

import dev.tally.account.projection.AccountProjection;
import dev.tally.account.projection.AccountRow;
import dev.tally.account.projection.AccountView;
import dev.tally.runtime.projection.ProjectionTables;
import dev.tally.runtime.projection.ReadModelSchemas;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether a read-model schema holds exactly what the log says: a snapshot of its tables is
 * compared with {@link LogFold}, a fold of the log through the projection's view computed here
 * without the projector's SQL, up to that snapshot's own checkpoints (the projector may go on
 * meanwhile; the comparison does not move). Row counts and checksums ({@link ModelDigest}) tell whether the two are equal; the account
 * rows are compared one by one to name those that differ. {@code tally rebuild} verifies a new
 * generation with it before switching to it; {@code tally chaos} verifies the live one after its
 * faults. Records an operator skipped ({@code tally dead-letters skip}) are passed over by both.
 */
public final class ModelVerification {

  /** The log is folded by this many threads, each reading its share of the partitions. */
  private static final int FOLD_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
  /** How many differing accounts and unfoldable records {@link Result#details()} names. */
  private static final int NAMED = 10;

  private ModelVerification() {
  }

  /**
   * Compares a snapshot of the tables of {@code schema} with a fold of {@code topic} up to the
   * checkpoints that snapshot holds for {@code projection}.
   */
  public static Result verify(Kafka kafka, DataSource db, String schema, String projection, String topic) {
    List<TopicPartition> partitions = kafka.partitions(topic);
    ModelDigest model;
    Map<String, String> rows;
    CompletableFuture<LogFold.Result<AccountRow>> folding;
    List<ModelDigest.Builder> lineDigests = Collections.synchronizedList(new ArrayList<>());
    // A thread of our own, not the common pool: it must see the classes of this (Spring Boot) jar.
    try (ExecutorService folder = Executors.newSingleThreadExecutor();
         Connection connection = db.getConnection()) {
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      connection.setReadOnly(true);
      connection.setAutoCommit(false);
      Map<Integer, Long> checkpoints = ReadModelSchemas.appliedOffsets(connection, schema, projection, topic);
      Map<Integer, Set<Long>> skipped = ProjectionTables.skippedRecords(connection, projection, topic);
      Map<TopicPartition, Long> ends = new TreeMap<>(Kafka.PARTITION_ORDER);
      for (TopicPartition partition : partitions) {
        ends.put(partition, checkpoints.getOrDefault(partition.partition(), -1L) + 1);
      }
      // The log is folded while PostgreSQL sums the same snapshot.
      folding = CompletableFuture.supplyAsync(() -> LogFold.foldInParallel(kafka, AccountProjection.PROJECTION,
          AccountView.VIEW, ends, FOLD_THREADS, () -> {
            ModelDigest.Builder digest = new ModelDigest.Builder();
            lineDigests.add(digest);
            return (event, row) -> AccountView.line(event).ifPresent(digest::line);
          }, skipped), folder);
      model = ModelDigest.of(connection, schema);
      rows = ModelDigest.accountRows(connection, schema);
      connection.commit();
    } catch (SQLException e) {
      throw new CliException("cannot read schema " + schema + ": " + TallyCli.describe(e), e);
    }
    LogFold.Result<AccountRow> fold;
    try {
      fold = folding.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
    ModelDigest.Builder fromLog = new ModelDigest.Builder();
    lineDigests.forEach(fromLog::add);
    fold.states().values().forEach(fromLog::account);
    Map<String, String> expected = new HashMap<>();
    Map<String, Long> balances = new HashMap<>();
    fold.states().values().stream().filter(AccountRow::opened).forEach(a -> {
      expected.put(a.accountId().toString(), ModelDigest.text(a));
      balances.put(a.accountId().toString(), a.balance());
    });
    List<String> differing = new ArrayList<>();
    for (Map.Entry<String, String> account : expected.entrySet()) {
      if (!account.getValue().equals(rows.get(account.getKey()))) {
        differing.add(account.getKey());
      }
    }
    rows.keySet().stream().filter(id -> !expected.containsKey(id)).forEach(differing::add);
    return new Result(model, fromLog.build(), differing.stream().sorted().toList(), fold.unfoldable(),
        Map.copyOf(balances));
  }

  /** The outcome: the model's digest, the log's, what differs, and the balances the fold found. */
  public static final class Result {
    private final ModelDigest model;
    private final ModelDigest log;
    private final List<String> differingAccounts;
    private final List<LogFold.Unfoldable> unfoldable;
    private final Map<String, Long> logBalances;

    Result(ModelDigest model, ModelDigest log, List<String> differingAccounts, List<LogFold.Unfoldable> unfoldable,
        Map<String, Long> logBalances) {
      this.model = model;
      this.log = log;
      this.differingAccounts = differingAccounts;
      this.unfoldable = unfoldable;
      this.logBalances = logBalances;
    }

    public boolean passed() {
      return model.equals(log) && differingAccounts.isEmpty() && unfoldable.isEmpty();
    }

    /** Account rows in the model. */
    public long accounts() {
      return model.accounts();
    }

    /** Transaction rows in the model. */
    public long lines() {
      return model.lines();
    }

    /** The accounts whose row differs from the fold's, or that only one of the two has, in id order. */
    public List<String> differingAccounts() {
      return differingAccounts;
    }

    /** How many records of the log could not be folded. */
    public int unfoldable() {
      return unfoldable.size();
    }

    /** The balance of every opened account, as the fold of the log computed it. */
    public Map<String, Long> logBalances() {
      return logBalances;
    }

    /** What was compared and what differs, one line each (naming at most ten accounts and ten records). */
    public List<String> details() {
      List<String> lines = new ArrayList<>();
      lines.add(String.format("accounts:     model %,d rows (checksum %s), log %,d (checksum %s)", model.accounts(),
          model.accountsChecksum().toString(16), log.accounts(), log.accountsChecksum().toString(16)));
      lines.add(String.format("transactions: model %,d rows (checksum %s), log %,d (checksum %s)", model.lines(),
          model.linesChecksum().toString(16), log.lines(), log.linesChecksum().toString(16)));
      differingAccounts.stream().limit(NAMED).forEach(id -> lines.add("account differs: " + id));
      if (differingAccounts.size() > NAMED) {
        lines.add(String.format("... and %,d more accounts", differingAccounts.size() - NAMED));
      }
      unfoldable.stream().limit(NAMED).forEach(record -> lines.add(String.format("record %d@%d cannot be folded: %s",
          record.partition(), record.offset(), record.reason())));
      if (unfoldable.size() > NAMED) {
        lines.add(String.format("... and %,d more records", unfoldable.size() - NAMED));
      }
      return lines;
    }
  }
}
