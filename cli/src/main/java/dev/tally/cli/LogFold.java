package dev.tally.cli;

import dev.tally.runtime.projection.DeadLetters;
import dev.tally.runtime.projection.HistoryFold;
import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.projection.ProjectionView;
import dev.tally.runtime.projection.ReaderTooOldException;
import dev.tally.runtime.projection.RejectedRecordException;
import dev.tally.runtime.projection.VersionGate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A projection's read model computed straight from the event log, without the projector's SQL:
 * each record read as the projection reads it, each aggregate's whole history folded through the
 * projection's view ({@link HistoryFold}), from the start of each partition up to given offsets. It
 * is what {@code rebuild} verifies a new generation against, and what {@code as-of} materialises.
 *
 * <p>An aggregate's versions must follow one another ({@link VersionGate}): an event after a missing
 * version (a gap), another event at a version already folded (a conflict), an earlier version (an
 * overlap), or one the view refuses (a fact that does not follow from the aggregate's history)
 * cannot be folded; the same event again is a duplicate, folded once. Records an operator skipped
 * ({@code tally dead-letters skip}) are passed over, as every generation's projector passes over them.
 *
 * @param <E> the projection's event type
 * @param <S> the rows of one aggregate
 */
final class LogFold<E, S> {

  /** Where a partition was folded to: its last folded record. */
  record Position(long offset, long timestamp) {
  }

  /** A record that could not be folded, and why. */
  record Unfoldable(int partition, long offset, String reason) {
  }

  /** The outcome: each aggregate's rows by id, records read, the position per partition, what could not be folded. */
  record Result<S>(Map<UUID, S> states, long records, Map<Integer, Position> positions, List<Unfoldable> unfoldable) {

    /** Two folds of different partitions as one: an aggregate's events are all in one partition. */
    Result<S> plus(Result<S> other) {
      Map<UUID, S> allStates = new HashMap<>(states);
      allStates.putAll(other.states);
      Map<Integer, Position> allPositions = new TreeMap<>(positions);
      allPositions.putAll(other.positions);
      List<Unfoldable> allUnfoldable = new ArrayList<>(unfoldable);
      allUnfoldable.addAll(other.unfoldable);
      return new Result<>(allStates, records + other.records, allPositions, allUnfoldable);
    }
  }

  private final Projection<E> projection;
  private final HistoryFold<E, S> fold;
  private final Map<Integer, Position> positions = new TreeMap<>();
  private final List<Unfoldable> unfoldable = new ArrayList<>();
  private final BiConsumer<E, S> folded;
  private final Map<Integer, Set<Long>> skipped;
  private long recordCount;

  private LogFold(Projection<E> projection, ProjectionView<E, S> view, BiConsumer<E, S> folded,
      Map<Integer, Set<Long>> skipped) {
    this.projection = projection;
    this.fold = new HistoryFold<>(projection, view);
    this.folded = folded;
    this.skipped = skipped;
  }

  /**
   * Folds every partition of {@code ends} from its start up to (excluding) its end offset,
   * read_committed, passing over the records at {@code skipped} (offsets by partition); hands each
   * event folded, with its aggregate's rows after it, to {@code folded}, in log order.
   */
  static <E, S> Result<S> fold(Kafka kafka, Projection<E> projection, ProjectionView<E, S> view,
      Map<TopicPartition, Long> ends, BiConsumer<E, S> folded, Map<Integer, Set<Long>> skipped) {
    LogFold<E, S> fold = new LogFold<>(projection, view, folded, skipped);
    try (KafkaConsumer<String, byte[]> reader = kafka.reader()) {
      for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
        fold.read(reader, end.getKey(), end.getValue());
      }
    }
    return new Result<>(fold.fold.states(), fold.recordCount, fold.positions, fold.unfoldable);
  }

  /**
   * As {@link #fold}, with the partitions shared out among {@code threads} folds that run at once
   * (each with its own consumer, and its own sink from {@code sinks}); the results are merged.
   */
  static <E, S> Result<S> foldInParallel(Kafka kafka, Projection<E> projection, ProjectionView<E, S> view,
      Map<TopicPartition, Long> ends, int threads, Supplier<BiConsumer<E, S>> sinks, Map<Integer, Set<Long>> skipped) {
    List<Map<TopicPartition, Long>> shares = new ArrayList<>();
    for (int i = 0; i < Math.max(1, Math.min(threads, ends.size())); i++) {
      shares.add(new TreeMap<>(Kafka.PARTITION_ORDER));
    }
    int next = 0;
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      shares.get(next++ % shares.size()).put(end.getKey(), end.getValue());
    }
    // Threads of our own, not the common pool: they must see the classes of this (Spring Boot) jar.
    try (ExecutorService pool = Executors.newFixedThreadPool(shares.size())) {
      List<Future<Result<S>>> results = new ArrayList<>();
      for (Map<TopicPartition, Long> share : shares) {
        BiConsumer<E, S> sink = sinks.get();
        results.add(pool.submit(() -> fold(kafka, projection, view, share, sink, skipped)));
      }
      Result<S> all = new Result<>(Map.of(), 0, Map.of(), List.of());
      for (Future<Result<S>> result : results) {
        all = all.plus(result.get());
      }
      return all;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : new CliException(TallyCli.describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while reading the log", e);
    }
  }

  private void read(KafkaConsumer<String, byte[]> reader, TopicPartition partition, long end) {
    Kafka.readFromStart(reader, partition, end, record -> {
      if (!skipped.getOrDefault(record.partition(), Set.of()).contains(record.offset())) {
        apply(record);
      }
      recordCount++;
      positions.put(partition.partition(), new Position(record.offset(), record.timestamp()));
    });
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    E event;
    try {
      event = projection.read(record.key(), record.value());
    } catch (RejectedRecordException e) {
      // As the projector parks it; an undecodable record's message does not say so itself.
      unfoldable(record, e.reason() == DeadLetters.Reason.UNDECODABLE ? "undecodable: " + e.getMessage() : e.getMessage());
      return;
    } catch (ReaderTooOldException e) {
      unfoldable(record, "undecodable: " + e.getMessage());
      return;
    }
    switch (fold.add(event)) {
      case VersionGate.Apply apply -> folded.accept(event, fold.state(projection.identity(event).aggregateId()));
      case VersionGate.Duplicate duplicate -> {
      }
      case VersionGate.Fault fault -> unfoldable(record, fault.message());
    }
  }

  private void unfoldable(ConsumerRecord<String, byte[]> record, String reason) {
    unfoldable.add(new Unfoldable(record.partition(), record.offset(), reason));
  }
}
