package dev.tally.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How fast the running projector applies a pre-filled events topic. The projector is paused
 * (SIGSTOP) while the events are written, so that it finds them all waiting, then resumed
 * (SIGCONT); its progress is read as its consumer group's committed offsets (the projector commits
 * them only after the rows are in PostgreSQL), from the first progress seen until it has caught up
 * with the end of the topic.
 */
final class Projection {

  private static final Duration POLL = Duration.ofMillis(100);

  private Projection() {
  }

  /** Progress observed: offsets and times (nanoTime) at the first progress and at catch-up. */
  record Progress(long firstOffsets, long firstNanos, long lastOffsets, long lastNanos, long resumedNanos, long startOffsets,
      boolean caughtUp) {

    double eventsPerSecond() {
      return (lastOffsets - firstOffsets) / ((lastNanos - firstNanos) / 1e9);
    }

    double secondsFromResume() {
      return (lastNanos - resumedNanos) / 1e9;
    }
  }

  static void measure(Stack stack, String group, String topic, EventFiller filler, long events, Duration limit,
      Map<String, Object> results, Runnable afterResume) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.ports.bootstrap()))) {
      Set<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .stream().map(info -> new TopicPartition(topic, info.partition())).collect(Collectors.toSet());
      long before = endOffsets(admin, partitions);
      awaitCommitted(admin, group, partitions, before, Duration.ofMinutes(2));
      long projector = stack.pid("projector").orElseThrow(() -> new IllegalStateException("no projector pid"));
      EventFiller.Filled filled;
      stack.signal(projector, "STOP");
      try {
        filled = filler.fill(stack.ports.bootstrap(), topic, events);
      } finally {
        stack.signal(projector, "CONT");
      }
      long resumed = System.nanoTime();
      afterResume.run();
      System.out.printf("  wrote %,d events (%,d accounts) to %s in %.1f s (%,.0f records/s, %.0f bytes/value) while the "
          + "projector was paused%n", filled.records(), filler.accounts().size(), topic, filled.seconds(),
          filled.records() / filled.seconds(), (double) filled.valueBytes() / filled.records());
      results.put("prefill_events", filled.records());
      results.put("prefill_records_per_s", filled.records() / filled.seconds());
      long target = endOffsets(admin, partitions);
      Progress progress = follow(admin, group, partitions, before, target, resumed, limit);
      results.put("projection_events_per_s", progress.eventsPerSecond());
      results.put("projection_seconds_from_resume", progress.secondsFromResume());
      results.put("projection_caught_up", progress.caughtUp());
      System.out.printf("  projector: %,.0f events/s (%,d events; caught up %.1f s after resuming)%s%n",
          progress.eventsPerSecond(), progress.lastOffsets() - progress.startOffsets(), progress.secondsFromResume(),
          progress.caughtUp() ? "" : " -- NOT caught up within the time limit");
    }
  }

  /** Waits until the group has committed {@code offsets} in total (0 is immediate: a fresh topic). */
  private static void awaitCommitted(Admin admin, String group, Set<TopicPartition> partitions, long offsets,
      Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (committed(admin, group, partitions) < offsets) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the projector did not catch up with the events topic before the fill");
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private static Progress follow(Admin admin, String group, Set<TopicPartition> partitions, long start, long target,
      long resumed, Duration limit) throws Exception {
    long deadline = resumed + limit.toNanos();
    long firstOffsets = -1;
    long firstNanos = 0;
    long last = start;
    long lastNanos = resumed;
    while (System.nanoTime() < deadline) {
      long now = System.nanoTime();
      long committed = committed(admin, group, partitions);
      if (committed > last) {
        last = committed;
        lastNanos = now;
        if (firstOffsets < 0) {
          firstOffsets = committed;
          firstNanos = now;
        }
      }
      if (committed >= target) {
        return new Progress(firstOffsets, firstNanos, last, lastNanos, resumed, start, true);
      }
      Thread.sleep(POLL.toMillis());
    }
    if (firstOffsets < 0) {
      throw new IllegalStateException("the projector made no progress within " + limit.toSeconds() + " s");
    }
    return new Progress(firstOffsets, firstNanos, last, lastNanos, resumed, start, false);
  }

  static long committed(Admin admin, String group, Set<TopicPartition> partitions) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    return partitions.stream().map(offsets::get).filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
  }

  static long endOffsets(Admin admin, Set<TopicPartition> partitions) throws Exception {
    ListOffsetsResult ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())));
    long sum = 0;
    for (TopicPartition partition : partitions) {
      sum += ends.partitionResult(partition).get().offset();
    }
    return sum;
  }

  /** The transaction rows the query API can see, or null with the reason in {@code results} if they cannot be counted. */
  static Long visibleTransactionRows(Stack.Ports ports, Map<String, Object> results) {
    try (Connection connection = DriverManager.getConnection(ports.jdbc(), "tally_reader", "tally_reader");
        Statement statement = connection.createStatement()) {
      SQLException last = null;
      for (String table : List.of("tally_read.account_transactions", "account_transactions")) {
        try (ResultSet count = statement.executeQuery("SELECT count(*) FROM " + table)) {
          count.next();
          return count.getLong(1);
        } catch (SQLException e) {
          last = e;
        }
      }
      throw last;
    } catch (SQLException e) {
      results.put("projection_rows_check_error", e.getMessage());
      return null;
    }
  }
}
