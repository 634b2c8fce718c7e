package dev.tally.cli;

import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.projection.ProjectionTables;
import dev.tally.runtime.projection.ProjectionView;
import dev.tally.runtime.projection.ReadModelSchemas;
import dev.tally.runtime.projection.Relation;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether a read-model schema holds exactly what the log says, for every given projection: a
 * snapshot of its verified relations ({@link Relation#isVerified()}) is compared with
 * {@link LogFold}, a fold of the projection's events topic through its own view computed here
 * without the projector's SQL, up to that snapshot's own checkpoints (the projector may go on
 * meanwhile; the comparison does not move). Row counts and checksums ({@link ModelDigest}) tell
 * whether the two are equal; the rows of a relation that differs are compared one by one to name
 * the keys that differ, where the fold holds them (current-state rows, {@link ProjectionView#rows}; a
 * history relation, {@link ProjectionView#rowsAdded}, is compared by count and checksum only).
 * {@code tally rebuild} verifies a new generation with it before switching to it; {@code tally
 * chaos} verifies the live one after its faults. Records an operator skipped ({@code tally
 * dead-letters skip}) are passed over by both.
 */
public final class ModelVerification {

  /** The log is folded by this many threads, each reading its share of the partitions. */
  private static final int FOLD_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
  /** How many differing keys and unfoldable records {@link Result#details()} names (per projection). */
  private static final int NAMED = 10;
  /** How many differing keys a relation keeps (the others are counted). */
  private static final int KEPT = 1_000;

  private ModelVerification() {
  }

  /**
   * Compares a snapshot of the verified relations of {@code schema} with a fold of each projection's
   * events topic (from {@code topics}) up to the checkpoints that snapshot holds for it.
   */
  public static Result verify(Kafka kafka, DataSource db, String schema, List<Projection<?>> projections,
      EventTopics topics) {
    List<Verified> verified = new ArrayList<>();
    // A thread of our own, not the common pool: it must see the classes of this (Spring Boot) jar.
    try (ExecutorService folder = Executors.newSingleThreadExecutor();
         Connection connection = db.getConnection()) {
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      connection.setReadOnly(true);
      connection.setAutoCommit(false);
      List<Check<?, ?>> checks = new ArrayList<>();
      for (Projection<?> projection : projections) {
        checks.add(check(projection, topics.of(projection.sourceAggregateType())));
      }
      // Each log is folded (one after another) while PostgreSQL sums the same snapshot.
      for (Check<?, ?> check : checks) {
        check.start(kafka, connection, schema, folder);
      }
      for (Check<?, ?> check : checks) {
        check.model = ModelDigest.of(connection, schema, check.relations);
      }
      for (Check<?, ?> check : checks) {
        verified.add(check.finish(connection, schema));
      }
      connection.commit();
    } catch (SQLException e) {
      throw new CliException("cannot read schema " + schema + ": " + TallyCli.describe(e), e);
    }
    return new Result(verified);
  }

  private static <E> Check<E, ?> check(Projection<E> projection, String topic) {
    return new Check<>(projection, projection.view(), topic);
  }

  /** One projection's comparison: its fold of the log under way, then its outcome. */
  private static final class Check<E, S> {
    private final Projection<E> projection;
    private final ProjectionView<E, S> view;
    private final String topic;
    private final List<Relation> relations;
    private final List<ModelDigest.Builder> added = Collections.synchronizedList(new ArrayList<>());
    private Future<LogFold.Result<S>> fold;
    private ModelDigest model;

    Check(Projection<E> projection, ProjectionView<E, S> view, String topic) {
      this.projection = projection;
      this.view = view;
      this.topic = topic;
      this.relations = projection.relations().stream().filter(Relation::isVerified).toList();
    }

    /** Reads the snapshot's checkpoints and skips, and starts folding the log up to them. */
    void start(Kafka kafka, Connection connection, String schema, ExecutorService folder) throws SQLException {
      List<TopicPartition> partitions = kafka.partitions(topic);
      Map<Integer, Long> checkpoints = ReadModelSchemas.appliedOffsets(connection, schema, projection.name(), topic);
      Map<Integer, Set<Long>> skipped = ProjectionTables.skippedRecords(connection, projection.name(), topic);
      Map<TopicPartition, Long> ends = new TreeMap<>(Kafka.PARTITION_ORDER);
      for (TopicPartition partition : partitions) {
        ends.put(partition, checkpoints.getOrDefault(partition.partition(), -1L) + 1);
      }
      fold = folder.submit(() -> LogFold.foldInParallel(kafka, projection, view, ends, FOLD_THREADS, () -> {
        ModelDigest.Builder digest = new ModelDigest.Builder();
        added.add(digest);
        return (event, state) -> view.rowsAdded(event, state).forEach(digest::add);
      }, skipped));
    }

    /** Waits for the fold and compares; names the keys that differ, reading them in the same snapshot. */
    Verified finish(Connection connection, String schema) throws SQLException {
      LogFold.Result<S> folded = join(fold);
      ModelDigest.Builder fromLog = new ModelDigest.Builder();
      Set<String> history = new HashSet<>();
      added.forEach(builder -> {
        fromLog.add(builder);
        history.addAll(builder.relations());
      });
      Map<String, Map<String, String>> expected = new HashMap<>();
      for (S state : folded.states().values()) {
        for (ProjectionView.Row row : view.rows(state)) {
          fromLog.add(row);
          expected.computeIfAbsent(row.relation(), r -> new HashMap<>()).put(row.key(), row.text());
        }
      }
      ModelDigest log = fromLog.build(relations);
      List<Differing> differing = new ArrayList<>();
      for (Relation relation : relations) {
        if (!model.checksum(relation.name()).equals(log.checksum(relation.name())) && !history.contains(relation.name())) {
          Differing keys = new Differing(relation.name());
          ModelDigest.differingKeys(connection, schema, relation, expected.getOrDefault(relation.name(), Map.of()),
              keys::add);
          differing.add(keys);
        }
      }
      return new Verified(projection.name(), topic, model, log, differing, folded.unfoldable(), folded.states());
    }

    private static <T> T join(Future<T> future) {
      try {
        return future.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException cause ? cause : new CliException(TallyCli.describe(e), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while reading the log", e);
      }
    }
  }

  /** The keys of one relation whose rows differ (the first {@value #KEPT}, sorted), and how many. */
  private static final class Differing {
    private final String relation;
    private final List<String> keys = new ArrayList<>();
    private long count;

    Differing(String relation) {
      this.relation = relation;
    }

    void add(String key) {
      count++;
      if (keys.size() < KEPT) {
        keys.add(key);
      }
    }
  }

  /** One projection's outcome. */
  private record Verified(String projection, String topic, ModelDigest model, ModelDigest log, List<Differing> differing,
      List<LogFold.Unfoldable> unfoldable, Map<UUID, ?> states) {

    boolean passed() {
      return model.equals(log) && differing.isEmpty() && unfoldable.isEmpty();
    }
  }

  /** The outcome: per projection, the model's digest, the log's, what differs, and the folded states. */
  public static final class Result {
    private final List<Verified> projections;

    private Result(List<Verified> projections) {
      this.projections = List.copyOf(projections);
    }

    public boolean passed() {
      return projections.stream().allMatch(Verified::passed);
    }

    /** The rows of each verified relation in the model, such as {@code 20 toys, 45 toy_lines}. */
    public String rows() {
      return projections.stream().flatMap(p -> p.model().relations().entrySet().stream())
          .map(relation -> String.format("%,d %s", relation.getValue().rows(), relation.getKey()))
          .collect(Collectors.joining(", "));
    }

    /** How many rows differ from the fold's, or only one of the two has, in relations whose rows are keyed by aggregate state. */
    public long differingRows() {
      return projections.stream().flatMap(p -> p.differing().stream()).mapToLong(d -> d.count).sum();
    }

    /** How many records of the logs could not be folded. */
    public int unfoldable() {
      return projections.stream().mapToInt(p -> p.unfoldable().size()).sum();
    }

    /** Each aggregate's state as {@code projection}'s view folded it from the log, by aggregate id. */
    public Map<UUID, ?> states(String projection) {
      return projections.stream().filter(p -> p.projection().equals(projection)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no projection " + projection + " was verified")).states();
    }

    /**
     * What was compared and what differs, one line each, per projection: each verified relation's
     * rows and checksums, at most ten differing keys per relation and ten unfoldable records.
     */
    public List<String> details() {
      List<String> lines = new ArrayList<>();
      for (Verified p : projections) {
        String name = "projection " + p.projection();
        p.model().relations().forEach((relation, model) -> {
          ModelDigest.Checksum log = p.log().checksum(relation);
          lines.add(String.format("%s, %s: model %,d rows (checksum %s), log %,d (checksum %s)", name, relation,
              model.rows(), model.sum().toString(16), log.rows(), log.sum().toString(16)));
        });
        for (Differing differing : p.differing()) {
          differing.keys.stream().sorted().limit(NAMED).forEach(key -> lines.add(String.format("%s, %s: row differs: %s",
              name, differing.relation, key)));
          if (differing.count > NAMED) {
            lines.add(String.format("%s, %s: ... and %,d more rows", name, differing.relation, differing.count - NAMED));
          }
        }
        p.unfoldable().stream().limit(NAMED).forEach(record -> lines.add(String.format(
            "%s: record %d@%d of %s cannot be folded: %s", name, record.partition(), record.offset(), p.topic(),
            record.reason())));
        if (p.unfoldable().size() > NAMED) {
          lines.add(String.format("%s: ... and %,d more records", name, p.unfoldable().size() - NAMED));
        }
      }
      return lines;
    }
  }
}
