package dev.tally.launcher;

import dev.tally.schemas.AggregateTopics;
import dev.tally.ledger.Ledger;
import dev.tally.runtime.core.Slice;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates Tally's topics through Kafka's Admin API (the broker has auto-creation off).
 *
 * <p>Usage: {@code LocalTopics --bootstrap-servers HOST:PORT --partitions N}. Existing topics are
 * kept as they are; a partition count that differs from the requested one is reported.
 */
public final class LocalTopics {

  private LocalTopics() {
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = Launcher.option(args, "--bootstrap-servers");
    int partitions = Integer.parseInt(Launcher.option(args, "--partitions"));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      awaitBroker(admin, Duration.ofSeconds(60));
      for (String line : ensure(admin, plan(partitions))) {
        System.out.println(line);
      }
    }
  }

  /** The topics of a local single-broker cluster: those of every registered aggregate type. */
  public static List<NewTopic> plan(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
    }
    return Ledger.SLICES.stream().map(Slice::aggregateType).map(AggregateTopics::of).flatMap(topics -> plan(topics, partitions)).toList();
  }

  private static Stream<NewTopic> plan(AggregateTopics topics, int partitions) {
    short replicas = 1;
    return Stream.of(
        new NewTopic(topics.events(), partitions, replicas).configs(Map.of(
            TopicConfig.RETENTION_MS_CONFIG, "-1",
            TopicConfig.RETENTION_BYTES_CONFIG, "-1",
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)),
        new NewTopic(topics.commands(), partitions, replicas).configs(Map.of(
            TopicConfig.RETENTION_MS_CONFIG, String.valueOf(Duration.ofDays(7).toMillis()))),
        new NewTopic(topics.results(), partitions, replicas).configs(Map.of(
            TopicConfig.RETENTION_MS_CONFIG, String.valueOf(Duration.ofDays(1).toMillis()))),
        new NewTopic(topics.deadLetters(), partitions, replicas).configs(Map.of(
            TopicConfig.RETENTION_MS_CONFIG, "-1")));
  }

  /**
   * Creates the missing topics; returns one line per topic saying what it found or did. A topic
   * that turns out to exist (created a moment ago, or by someone else meanwhile) counts as existing.
   */
  public static List<String> ensure(Admin admin, List<NewTopic> topics) throws ExecutionException, InterruptedException {
    Set<String> existing = admin.listTopics().names().get();
    List<NewTopic> created = new ArrayList<>();
    var results = admin.createTopics(topics.stream().filter(topic -> !existing.contains(topic.name())).toList()).values();
    for (NewTopic topic : topics) {
      if (results.containsKey(topic.name())) {
        try {
          results.get(topic.name()).get();
          created.add(topic);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
    Map<String, TopicDescription> described = describe(admin, topics.stream().map(NewTopic::name).toList());
    List<String> report = new ArrayList<>();
    for (NewTopic topic : topics) {
      int actual = described.get(topic.name()).partitions().size();
      String state = created.contains(topic) ? "created" : "exists";
      String note = actual == topic.numPartitions() ? "" : " (requested " + topic.numPartitions() + ")";
      report.add("topic " + topic.name() + ": " + state + ", " + actual + " partitions" + note);
    }
    return report;
  }

  /**
   * Describes the topics, waiting (up to 10 s) for topics created a moment ago to reach the
   * broker's metadata: until then a description says the topic is unknown.
   */
  private static Map<String, TopicDescription> describe(Admin admin, List<String> names)
      throws ExecutionException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (true) {
      try {
        return admin.describeTopics(names).allTopicNames().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || Instant.now().isAfter(deadline)) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  static void awaitBroker(Admin admin, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      try {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        if (Instant.now().isAfter(deadline)) {
          Launcher.fail("Kafka broker not reachable within " + timeout.toSeconds() + " s: " + e.getMessage());
        }
      }
    }
  }
}
