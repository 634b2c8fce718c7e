package dev.tally.cli;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.event.AccountClosed;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The read model computed straight from the event log, without the projector's code: every
 * account's state and every money line, from the start of each partition up to given offsets.
 * Balances are summed from the amounts, so an event whose {@code balanceAfter} disagrees with its
 * history shows up as a difference. It is what {@code rebuild} verifies a new generation against,
 * and what {@code as-of} materialises.
 *
 * <p>An account's versions must follow one another: an event after a missing version (a gap),
 * another event at a version already folded (a conflict) or an earlier version (an overlap) cannot
 * be folded; the same event again is a duplicate, folded once. Records an operator skipped
 * ({@code tally dead-letters skip}) are passed over, as every generation's projector passes over them.
 */
final class LogFold {

  /** An account as the read model's {@code accounts} row holds it (times in epoch microseconds). */
  static final class Account {
    final String accountId;
    String owner;
    String currency;
    long balance;
    String status;
    long version;
    long openedAt;
    long updatedAt;
    /** The id of the last event folded. */
    String eventId;

    Account(String accountId) {
      this.accountId = accountId;
    }
  }

  /** One money event as an {@code account_transactions} row holds it. */
  record Line(String accountId, long version, String type, long amount, long balanceAfter, String reference,
      long occurredAt, String eventId) {
  }

  /** Where a partition was folded to: its last folded record. */
  record Position(long offset, long timestamp) {
  }

  /** A record that could not be folded, and why. */
  record Unfoldable(int partition, long offset, String reason) {
  }

  /** The outcome: accounts by id, records and money lines folded, the position per partition, what could not be folded. */
  record Result(Map<String, Account> accounts, long records, long lines, Map<Integer, Position> positions,
      List<Unfoldable> unfoldable) {

    /** Two folds of different partitions as one: an account's events are all in one partition. */
    Result plus(Result other) {
      Map<String, Account> allAccounts = new HashMap<>(accounts);
      allAccounts.putAll(other.accounts);
      Map<Integer, Position> allPositions = new TreeMap<>(positions);
      allPositions.putAll(other.positions);
      List<Unfoldable> allUnfoldable = new ArrayList<>(unfoldable);
      allUnfoldable.addAll(other.unfoldable);
      return new Result(allAccounts, records + other.records, lines + other.lines, allPositions, allUnfoldable);
    }
  }

  private final AvroCodec codec = AvroCodec.standard();
  private final Map<String, Account> accounts = new HashMap<>();
  private final Map<Integer, Position> positions = new TreeMap<>();
  private final List<Unfoldable> unfoldable = new ArrayList<>();
  private final Consumer<Line> lines;
  private final Map<Integer, Set<Long>> skipped;
  private long lineCount;
  private long recordCount;

  private LogFold(Consumer<Line> lines, Map<Integer, Set<Long>> skipped) {
    this.lines = lines;
    this.skipped = skipped;
  }

  /**
   * Folds every partition of {@code ends} from its start up to (excluding) its end offset,
   * read_committed; hands each money line to {@code lines} in log order.
   */
  static Result fold(Kafka kafka, Map<TopicPartition, Long> ends, Consumer<Line> lines) {
    return fold(kafka, ends, lines, Map.of());
  }

  /** As {@link #fold(Kafka, Map, Consumer)}, passing over the records at {@code skipped} (offsets by partition). */
  static Result fold(Kafka kafka, Map<TopicPartition, Long> ends, Consumer<Line> lines,
      Map<Integer, Set<Long>> skipped) {
    LogFold fold = new LogFold(lines, skipped);
    try (KafkaConsumer<String, byte[]> reader = kafka.reader()) {
      for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
        fold.read(reader, end.getKey(), end.getValue());
      }
    }
    return new Result(fold.accounts, fold.recordCount, fold.lineCount, fold.positions, fold.unfoldable);
  }

  /**
   * As {@link #fold}, with the partitions shared out among {@code threads} folds that run at once
   * (each with its own consumer, and its own line sink from {@code sinks}); the results are merged.
   */
  static Result foldInParallel(Kafka kafka, Map<TopicPartition, Long> ends, int threads,
      Supplier<Consumer<Line>> sinks, Map<Integer, Set<Long>> skipped) {
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
      List<Future<Result>> results = new ArrayList<>();
      for (Map<TopicPartition, Long> share : shares) {
        Consumer<Line> sink = sinks.get();
        results.add(pool.submit(() -> fold(kafka, share, sink, skipped)));
      }
      Result all = new Result(Map.of(), 0, 0, Map.of(), List.of());
      for (Future<Result> result : results) {
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
    SpecificRecord event;
    try {
      event = codec.decode(record.value());
    } catch (RuntimeException e) {
      unfoldable.add(new Unfoldable(record.partition(), record.offset(), "undecodable: " + e.getMessage()));
      return;
    }
    if (!(event.get(0) instanceof EventMetadata metadata) || !metadata.getAggregateId().equals(record.key())) {
      unfoldable.add(new Unfoldable(record.partition(), record.offset(), "not an event of account " + record.key()));
      return;
    }
    Account account = accounts.computeIfAbsent(metadata.getAggregateId(), Account::new);
    long version = metadata.getAggregateVersion();
    if (version != account.version + 1) {
      if (version == account.version && metadata.getEventId().equals(account.eventId)) {
        return; // the same event again: the model holds each version once
      }
      String kind = version > account.version ? "gap" : version == account.version ? "conflict" : "overlap";
      unfoldable.add(new Unfoldable(record.partition(), record.offset(), kind + ": version " + version
          + " of account " + record.key() + " after version " + account.version));
      return;
    }
    long at = ChronoUnit.MICROS.between(Instant.EPOCH, metadata.getOccurredAt());
    account.version = version;
    account.eventId = metadata.getEventId();
    account.updatedAt = at;
    switch (event) {
      case AccountOpened opened -> {
        account.owner = opened.getOwner();
        account.currency = opened.getCurrency();
        account.status = "OPEN";
        account.openedAt = at;
      }
      case MoneyDeposited deposited -> {
        account.balance += deposited.getAmount();
        line(account, version, "DEPOSIT", deposited.getAmount(), deposited.getReference(), at, metadata);
      }
      case MoneyWithdrawn withdrawn -> {
        account.balance -= withdrawn.getAmount();
        line(account, version, "WITHDRAWAL", withdrawn.getAmount(), withdrawn.getReference(), at, metadata);
      }
      case AccountClosed closed -> account.status = "CLOSED";
      default -> unfoldable.add(new Unfoldable(record.partition(), record.offset(),
          "not an account event: " + event.getSchema().getFullName()));
    }
  }

  private void line(Account account, long version, String type, long amount, String reference, long at,
      EventMetadata metadata) {
    lineCount++;
    lines.accept(new Line(account.accountId, version, type, amount, account.balance, reference, at,
        metadata.getEventId()));
  }
}
