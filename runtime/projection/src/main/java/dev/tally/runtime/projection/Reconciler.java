package dev.tally.runtime.projection;

import dev.tally.runtime.projection.ReadModelSchemas;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;

/**
 * Keeps a projection's consumer group honest about the read model: the checkpoints in PostgreSQL
 * are the truth, Kafka's committed offsets only a hint.
 *
 * <p>Kafka Streams resumes a partition at its group's committed offset and cannot be told
 * otherwise. When the group has passed records the read model does not hold (the database lost its
 * last commits in a crash, a backup was restored, the database is new), the projection must resume
 * from the checkpoints instead: {@link #behind} finds such partitions, and {@link #seed} creates a
 * new, empty consumer group whose offsets are the checkpoints + 1 (Kafka's Admin API may set the
 * offsets of a group without members), for the generation to be moved to (ADR 0021).
 */
public final class Reconciler {

  private static final int TIMEOUT_MS = 10_000;
  private static final Duration READ_PATIENCE = Duration.ofSeconds(10);

  private final Admin admin;
  private final DataSource dataSource;
  private final String bootstrapServers;
  private final List<Source> sources;

  /** A reconciler of the application that runs every projection of {@code sources}. */
  public Reconciler(Admin admin, DataSource dataSource, String bootstrapServers, List<Source> sources) {
    this.admin = admin;
    this.dataSource = dataSource;
    this.bootstrapServers = bootstrapServers;
    this.sources = List.copyOf(sources);
  }

  /** A projection and the topic it reads: its checkpoints are keyed by both. */
  public record Source(String projection, String topic) {
  }

  /**
   * The partitions on which the group {@code applicationId} has committed an offset past a record
   * that the read model in {@code schema} has not applied, with that record's offset. Transaction
   * markers after the last applied record, which the group passes too, are not records.
   */
  public Map<Integer, Long> behind(String applicationId, String schema) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = committed(applicationId);
    if (committed.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, Long> next = resumeAt(schema);
    Map<Integer, Long> behind = new TreeMap<>();
    try (LogReader reader = new LogReader(bootstrapServers, "tally-projection-reconciler", READ_PATIENCE)) {
      for (Map.Entry<TopicPartition, OffsetAndMetadata> group : committed.entrySet()) {
        Long from = next.get(group.getKey());
        if (group.getValue() != null && from != null && group.getValue().offset() > from) {
          reader.first(group.getKey(), from, group.getValue().offset())
              .ifPresent(record -> behind.put(record.partition(), record.offset()));
        }
      }
    }
    return behind;
  }

  /**
   * Creates the consumer group {@code applicationId}, whose committed offset on every partition is
   * where the read model in {@code schema} stops: its checkpoint + 1, or the start of the log.
   */
  public void seed(String applicationId, String schema) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      resumeAt(schema).forEach((partition, offset) -> offsets.put(partition, new OffsetAndMetadata(offset)));
      admin.alterConsumerGroupOffsets(applicationId, offsets).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create consumer group " + applicationId + " at the checkpoints of "
          + schema + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes a group once it has no members, waiting up to {@code wait}; true if it is gone.
   */
  public boolean deleteWhenEmpty(String applicationId, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId))
            .describedGroups().get(applicationId).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (group.members().isEmpty()) {
          admin.deleteConsumerGroups(List.of(applicationId)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
          return true;
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof GroupIdNotFoundException) {
          return true;
        }
        if (!(e.getCause() instanceof GroupNotEmptyException)) {
          throw new IllegalStateException("cannot delete consumer group " + applicationId, e.getCause());
        }
      } catch (TimeoutException e) {
        // asked again below
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(500);
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> committed(String applicationId) throws Exception {
    try {
      return admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata()
          .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Map.of();
      }
      throw e;
    }
  }

  /**
   * Per partition of every source topic, the first offset the read model in {@code schema} has not
   * applied: the lowest over the projections reading that topic (one group offset serves them all;
   * a projection ahead of it passes over what it holds, by its checkpoint).
   */
  private Map<TopicPartition, Long> resumeAt(String schema) throws Exception {
    Map<TopicPartition, Long> next = new HashMap<>();
    for (Source source : sources) {
      resumeAt(schema, source).forEach((partition, offset) -> next.merge(partition, offset, Math::min));
    }
    return next;
  }

  private Map<TopicPartition, Long> resumeAt(String schema, Source source) throws Exception {
    String topic = source.topic();
    int count = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .get(topic).partitions().size();
    List<TopicPartition> partitions = IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).toList();
    Map<TopicPartition, Long> starts = new HashMap<>();
    admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest())),
            new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
        .all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .forEach((partition, info) -> starts.put(partition, info.offset()));
    Map<Integer, Long> applied;
    try (Connection connection = dataSource.getConnection()) {
      applied = ReadModelSchemas.appliedOffsets(connection, schema, source.projection(), topic);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the checkpoints of " + schema + ": " + e.getMessage(), e);
    }
    Map<TopicPartition, Long> next = new HashMap<>();
    for (TopicPartition partition : partitions) {
      next.put(partition, Math.max(starts.get(partition), applied.getOrDefault(partition.partition(), -1L) + 1));
    }
    return next;
  }
}
