package dev.tally.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import dev.tally.testing.TestInfrastructure;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Projection throughput, a benchmark and not part of the suite (its name matches neither Surefire's
 * nor Failsafe's patterns). Run it with:
 *
 * <pre>./mvnw -q -pl projector test -Dtest=ProjectionBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * It appends N events (default 100,000; {@code -Dtally.benchmark.events=...}) to a 6-partition
 * topic, projects them from the beginning with a fresh application, and compares with the limit
 * measured in the same run: PostgreSQL's COPY of the same rows into tables of the same shape. The
 * result is printed and written to {@code target/projection-benchmark.txt}.
 */
class ProjectionBenchmark {

  private static final int THREADS = Integer.getInteger("tally.benchmark.threads", 1);

  @Test
  void projectionThroughputAgainstRawCopy() throws Exception {
    int count = Integer.getInteger("tally.benchmark.events", 100_000);
    List<String> topics = TestInfrastructure.createTopics(6, "bench-events", "bench-dead-letters");
    DataSource db = ReadModel.dataSource(ReadModel.create());
    List<SpecificRecord> events = new Ledger(1, 10_000, Clock.systemUTC()).next(count);
    try (EventLog log = EventLog.transactional(topics.get(0))) {
      for (int i = 0; i < events.size(); i += 1000) {
        log.append(events.subList(i, Math.min(events.size(), i + 1000)));
      }
    }
    List<ConsumerRecord<String, byte[]>> records = EventLog.readAll(topics.get(0));
    Map<Integer, Long> last = new HashMap<>();
    records.forEach(record -> last.merge(record.partition(), record.offset(), Math::max));

    long started = System.nanoTime();
    long running;
    String batchStats;
    try (InProcessProjector projector = new InProcessProjector(TestInfrastructure.uniqueName("bench"), topics.get(0),
        topics.get(1), db, Duration.ofMillis(Long.getLong("tally.benchmark.commit-ms", 100)), THREADS)) {
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(5))
          .until(() -> projector.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);
      running = System.nanoTime();
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
          .until(() -> ReadModel.checkpoints(db, topics.get(0)).equals(last));
      var size = projector.registry.get("tally.projection.batch.size").summary();
      var time = projector.registry.get("tally.projection.batch.duration").timer();
      batchStats = String.format("%d batches, %.0f events per batch on average (max %.0f), %.0f ms writing in total",
          size.count(), size.mean(), size.max(), time.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS));
    }
    double startSeconds = (running - started) / 1e9;
    double projectSeconds = (System.nanoTime() - running) / 1e9;
    assertThat(ReadModel.dump(db)).isEqualTo(Fold.of(events));
    double batches = ReadModel.query(db, "SELECT count(*) FROM projection_checkpoints").size();

    double copySeconds = rawCopy(events);
    double projected = count / projectSeconds;
    double copied = count / copySeconds;
    String report = String.format("""
        projection benchmark: %,d events, 6 partitions, %d stream thread(s), commit interval 100 ms
          start-up (KafkaStreams created to RUNNING, not counted):                      %.2f s
          projector (RUNNING to the last checkpoint, JVM warm-up included):             %.2f s = %,.0f events/s
          %s
          raw COPY of the same rows into the same table shape:                           %.2f s = %,.0f events/s
          ratio: %.0f%% of raw COPY
        """, count, THREADS, startSeconds, projectSeconds, projected, batchStats, copySeconds, copied, 100 * projected / copied);
    System.out.print(report);
    Files.writeString(Path.of("target", "projection-benchmark.txt"), report);
    assertThat(batches).isPositive();
  }

  /** COPY one account row per account (final state) and one line per money event, in one transaction. */
  private static double rawCopy(List<SpecificRecord> events) throws Exception {
    DataSource db = ReadModel.dataSource(ReadModel.create());
    StringBuilder accounts = new StringBuilder();
    StringBuilder lines = new StringBuilder();
    Map<String, String[]> last = new HashMap<>();
    for (SpecificRecord event : events) {
      EventMetadata m = (EventMetadata) event.get(0);
      String at = m.getOccurredAt().toString();
      last.compute(m.getAggregateId(), (id, row) -> row == null
          ? new String[] {id, "owner", "EUR", "0", "OPEN", "1", at, at}
          : new String[] {id, row[1], row[2], row[3], row[4], Long.toString(m.getAggregateVersion()), row[6], at});
      if (event instanceof MoneyDeposited d) {
        last.get(m.getAggregateId())[3] = Long.toString(d.getBalanceAfter());
        lines.append(m.getAggregateId()).append('\t').append(m.getAggregateVersion()).append("\tDEPOSIT\t")
            .append(d.getAmount()).append('\t').append(d.getBalanceAfter()).append('\t').append(d.getReference())
            .append('\t').append(at).append('\t').append(m.getEventId()).append('\n');
      } else if (event instanceof MoneyWithdrawn w) {
        last.get(m.getAggregateId())[3] = Long.toString(w.getBalanceAfter());
        lines.append(m.getAggregateId()).append('\t').append(m.getAggregateVersion()).append("\tWITHDRAWAL\t")
            .append(w.getAmount()).append('\t').append(w.getBalanceAfter()).append('\t').append(w.getReference())
            .append('\t').append(at).append('\t').append(m.getEventId()).append('\n');
      }
    }
    last.values().forEach(row -> accounts.append(String.join("\t", row)).append('\n'));
    long started = System.nanoTime();
    try (Connection connection = db.getConnection()) {
      connection.setAutoCommit(false);
      var copy = connection.unwrap(PGConnection.class).getCopyAPI();
      copy.copyIn("COPY accounts (account_id, owner, currency, balance, status, version, opened_at, updated_at) FROM STDIN",
          new StringReader(accounts.toString()));
      copy.copyIn("COPY account_transactions (account_id, version, type, amount, balance_after, reference, occurred_at, event_id)"
          + " FROM STDIN", new StringReader(lines.toString()));
      connection.commit();
    }
    return (System.nanoTime() - started) / 1e9;
  }

}
