package dev.tally.runtime.projection;

import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.ReadModelSchemas;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lag of a projection per partition, as gauges, measured from outside the stream threads so that
 * it is right even when the projector is stuck:
 * <ul>
 *   <li>{@code tally.projection.lag.records}: committed records of the partition that the read
 *       model does not cover yet: the last stable offset minus the offset of the oldest such record;
 *   <li>{@code tally.projection.lag.seconds}: the age of that oldest unapplied record (now minus its
 *       timestamp, which the writer sets when it appends the event); 0 when nothing is pending.
 * </ul>
 * "Covered" means at or below the checkpoint in PostgreSQL: the database is the truth, whatever
 * Kafka's consumer group has committed (after a restored backup, say, the group is ahead of what
 * the read model holds, and the difference is lag). It measures the live generation of the read
 * model, whichever that is at the time. The oldest pending record is read with a read_committed
 * consumer, so transaction markers and aborted records never count as lag, and a caught-up
 * projection reads exactly 0.
 */
public final class ProjectionLag implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProjectionLag.class);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  /** Bounds every Admin call, so that a call in flight never holds up closing the shared Admin client. */
  private static final int TIMEOUT_MS = 5000;

  private final Admin admin;
  private final DataSource dataSource;
  private final String topic;
  private final String projection;
  private final Supplier<Generation> live;
  private final MeterRegistry registry;
  private final Clock clock;
  private final LogReader probe;
  private final Map<Integer, Lag> lags = new ConcurrentHashMap<>();

  public ProjectionLag(Admin admin, DataSource dataSource, String bootstrapServers, String topic, String projection,
      Supplier<Generation> live, MeterRegistry registry, Clock clock) {
    this.admin = admin;
    this.dataSource = dataSource;
    this.topic = topic;
    this.projection = projection;
    this.live = live;
    this.registry = registry;
    this.clock = clock;
    this.probe = new LogReader(bootstrapServers, "tally-" + projection + "-lag-probe", PROBE_TIMEOUT);
  }

  /** The last measured lag of one partition, if measured. */
  public Lag lag(int partition) {
    return lags.get(partition);
  }

  /** Measures every partition once. Not thread-safe: call it from one thread. */
  public void refresh() {
    Generation generation = live.get();
    if (generation == null) {
      return;
    }
    try {
      int partitions = admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(TIMEOUT_MS))
          .allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .get(topic).partitions().size();
      List<TopicPartition> all = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
      Map<TopicPartition, Long> ends = offsets(all, OffsetSpec.latest());
      Map<TopicPartition, Long> starts = offsets(all, OffsetSpec.earliest());
      Map<Integer, Long> applied = appliedOffsets(generation.schema());
      for (TopicPartition partition : all) {
        long next = starts.get(partition);
        Long checkpoint = applied.get(partition.partition());
        if (checkpoint != null) {
          next = Math.max(next, checkpoint + 1);
        }
        measure(partition, next, ends.get(partition));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("cannot measure the lag of projection {}: {}", projection, e.toString());
    }
  }

  private void measure(TopicPartition partition, long next, long end) {
    Lag lag = Lag.NONE;
    if (next < end) {
      try {
        ConsumerRecord<byte[], byte[]> oldest = probe.first(partition, next, end).orElse(null);
        if (oldest != null) {
          double seconds = Math.max(0, clock.millis() - oldest.timestamp()) / 1000.0;
          lag = new Lag(end - oldest.offset(), seconds);
        }
      } catch (TimeoutException e) {
        Lag previous = lags.get(partition.partition());
        lag = new Lag(end - next, previous == null ? 0 : previous.seconds());
      }
    }
    if (lags.put(partition.partition(), lag) == null) {
      register(partition.partition());
    }
  }

  private void register(int partition) {
    Gauge.builder("tally.projection.lag.records", lags, all -> all.getOrDefault(partition, Lag.NONE).records())
        .description("Committed records of the partition not yet in the read model")
        .tag("projection", projection).tag("topic", topic).tag("partition", Integer.toString(partition))
        .register(registry);
    Gauge.builder("tally.projection.lag.seconds", lags, all -> all.getOrDefault(partition, Lag.NONE).seconds())
        .description("Age of the oldest committed record of the partition not yet in the read model")
        .baseUnit("seconds")
        .tag("projection", projection).tag("topic", topic).tag("partition", Integer.toString(partition))
        .register(registry);
  }

  private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) throws Exception {
    Map<TopicPartition, OffsetSpec> request = partitions.stream().collect(Collectors.toMap(p -> p, p -> spec));
    Map<TopicPartition, Long> offsets = new HashMap<>();
    admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED).timeoutMs(TIMEOUT_MS)).all()
        .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .forEach((partition, info) -> offsets.put(partition, info.offset()));
    return offsets;
  }

  private Map<Integer, Long> appliedOffsets(String schema) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return ReadModelSchemas.appliedOffsets(connection, schema, projection, topic);
    }
  }

  @Override
  public void close() {
    probe.close();
  }

  /** Lag of one partition: records not yet applied, and the age in seconds of the oldest of them. */
  public record Lag(long records, double seconds) {
    static final Lag NONE = new Lag(0, 0);
  }
}
