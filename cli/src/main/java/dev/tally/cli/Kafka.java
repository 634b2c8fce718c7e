package dev.tally.cli;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListStreamsGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One connection to the cluster for one CLI invocation: an {@link Admin} with bounded timeouts,
 * and the few questions the subcommands ask it. Every call fails within {@link #CALL_TIMEOUT} with
 * a {@link CliException}: the CLI never hangs on an absent broker.
 */
public final class Kafka implements AutoCloseable {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(8);
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
  private static final int REQUEST_TIMEOUT_MS = 5_000;
  private static final int API_TIMEOUT_MS = 10_000;
  private static final Duration READ_POLL = Duration.ofMillis(200);
  /** How long {@link #readFromStart} waits for the next record before it gives up. */
  private static final Duration READ_STALL = Duration.ofSeconds(30);

  private final String bootstrapServers;
  private final Admin admin;

  private Kafka(String bootstrapServers, Admin admin) {
    this.bootstrapServers = bootstrapServers;
    this.admin = admin;
  }

  /** Connects and checks the cluster answers, or fails with one line within about 10 s. */
  public static Kafka connect(String bootstrapServers) {
    Admin admin;
    try {
      admin = Admin.create(adminConfig(bootstrapServers));
    } catch (RuntimeException e) {
      throw new CliException("cannot connect to Kafka at " + bootstrapServers + ": " + TallyCli.describe(e), e);
    }
    try {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) CONNECT_TIMEOUT.toMillis()))
          .clusterId().get(CONNECT_TIMEOUT.toMillis() + 2_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      admin.close(Duration.ofSeconds(1));
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new CliException("cannot reach Kafka at " + bootstrapServers + " (no answer within "
          + CONNECT_TIMEOUT.toSeconds() + " s; is it running? set --bootstrap-servers or $" + KafkaOptions.ENV + ")", e);
    }
    return new Kafka(bootstrapServers, admin);
  }

  private static Map<String, Object> adminConfig(String bootstrapServers) {
    return Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.CLIENT_ID_CONFIG, "tally-cli-admin",
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, API_TIMEOUT_MS,
        AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1_000,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Admin admin() {
    return admin;
  }

  /** Client settings for tools that make their own consumers: bounded timeouts, read_committed. */
  public Properties consumerConfig() {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "tally-cli");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(REQUEST_TIMEOUT_MS));
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(API_TIMEOUT_MS));
    return config;
  }

  /** A group-less, read_committed consumer: it only ever reads by assignment and commits nothing. */
  public KafkaConsumer<String, byte[]> reader() {
    Properties config = consumerConfig();
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 << 20));
    return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Hands every record of {@code partition}, from its start up to (excluding) {@code end}, to
   * {@code each}, in order; fails if no record comes for {@link #READ_STALL}.
   */
  public static void readFromStart(KafkaConsumer<String, byte[]> reader, TopicPartition partition, long end,
      java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
    reader.assign(List.of(partition));
    reader.seekToBeginning(List.of(partition));
    long lastProgress = System.nanoTime();
    while (reader.position(partition) < end) {
      List<ConsumerRecord<String, byte[]>> records = reader.poll(READ_POLL).records(partition);
      if (!records.isEmpty()) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > READ_STALL.toNanos()) {
        throw new CliException("reading " + partition + " stalled at offset " + reader.position(partition)
            + " before " + end + ": is the broker reachable?");
      }
      for (ConsumerRecord<String, byte[]> record : records) {
        if (record.offset() >= end) {
          return;
        }
        each.accept(record);
      }
    }
  }

  /** Waits for an Admin result; any failure becomes a one-line {@link CliException}. */
  public <T> T await(KafkaFuture<T> future, String what) {
    try {
      return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new CliException("cannot " + what + ": " + TallyCli.describe(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw new CliException("cannot " + what + ": no answer from Kafka within " + CALL_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while trying to " + what, e);
    }
  }

  /** Every group the cluster knows, of every type. */
  public List<GroupListing> groups() {
    return await(admin.listGroups().all(), "list the consumer groups").stream()
        .sorted(java.util.Comparator.comparing(GroupListing::groupId))
        .toList();
  }

  public Optional<GroupListing> group(String groupId) {
    return groups().stream().filter(g -> g.groupId().equals(groupId)).findFirst();
  }

  /** "classic", "consumer", "streams", ...: the group's protocol family, lower case. */
  public static String typeName(GroupListing group) {
    return group.type().map(t -> t.toString().toLowerCase(java.util.Locale.ROOT)).orElse("unknown");
  }

  public static boolean isStreamsGroup(GroupListing group) {
    return group.type().orElse(GroupType.UNKNOWN) == GroupType.STREAMS;
  }

  public static boolean isShareGroup(GroupListing group) {
    return group.type().orElse(GroupType.UNKNOWN) == GroupType.SHARE;
  }

  /** The group's committed offsets, by partition, in partition order; empty when it has none. */
  public Map<TopicPartition, Long> committedOffsets(GroupListing group) {
    String id = group.groupId();
    Map<TopicPartition, OffsetAndMetadata> offsets;
    try {
      if (isStreamsGroup(group)) {
        offsets = await(admin.listStreamsGroupOffsets(Map.of(id, new ListStreamsGroupOffsetsSpec()))
            .partitionsToOffsetAndMetadata(id), "read the committed offsets of " + id);
      } else {
        offsets = await(admin.listConsumerGroupOffsets(Map.of(id, new ListConsumerGroupOffsetsSpec()))
            .partitionsToOffsetAndMetadata(id), "read the committed offsets of " + id);
      }
    } catch (CliException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Map.of();
      }
      throw e;
    }
    Map<TopicPartition, Long> committed = new TreeMap<>(PARTITION_ORDER);
    offsets.forEach((partition, offset) -> {
      if (offset != null) {
        committed.put(partition, offset.offset());
      }
    });
    return committed;
  }

  /** How many members the group has now (0 for an empty or vanished group). */
  public int liveMembers(GroupListing group) {
    GroupState state = group.groupState().orElse(GroupState.UNKNOWN);
    String id = group.groupId();
    try {
      if (isStreamsGroup(group)) {
        return await(admin.describeStreamsGroups(List.of(id)).describedGroups().get(id),
            "describe group " + id).members().size();
      }
      if (state == GroupState.EMPTY || state == GroupState.DEAD) {
        return 0;
      }
      return await(admin.describeConsumerGroups(List.of(id)).describedGroups().get(id),
          "describe group " + id).members().size();
    } catch (CliException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return 0;
      }
      throw e;
    }
  }

  /** The topics of the cluster (internal ones such as {@code __consumer_offsets} excluded). */
  public Set<String> topics() {
    return await(admin.listTopics().names(), "list the topics");
  }

  /** The partitions of a topic, in order; a missing topic is a {@link CliException}. */
  public List<TopicPartition> partitions(String topic) {
    try {
      int count = await(admin.describeTopics(List.of(topic)).allTopicNames(), "describe topic " + topic)
          .get(topic).partitions().size();
      return java.util.stream.IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).toList();
    } catch (CliException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new CliException("no topic " + topic + " on " + bootstrapServers, e.getCause());
      }
      throw e;
    }
  }

  /** Offsets as a read_committed consumer sees them; -1 where a timestamp spec finds no record. */
  public Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec, String what) {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(p -> request.put(p, spec));
    Map<TopicPartition, Long> offsets = new TreeMap<>(PARTITION_ORDER);
    await(admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all(), "read the " + what)
        .forEach((partition, info) -> offsets.put(partition, info.offset()));
    return offsets;
  }

  /**
   * Waits up to {@code wait} for a group to have no live members, then deletes it; returns why it
   * was not deleted, if it was not.
   */
  public Optional<String> deleteGroupWhenEmpty(String groupId, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Optional<GroupListing> group = group(groupId);
      int members = group.map(this::liveMembers).orElse(0);
      if (members == 0) {
        if (group.isPresent()) {
          deleteGroup(groupId);
        }
        return Optional.empty();
      }
      if (System.nanoTime() > deadline) {
        return Optional.of(members + " member(s) still live after " + wait.toSeconds() + " s");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted");
      }
    }
  }

  /** Deletes a group and its committed offsets; a group that does not exist is already deleted. */
  public void deleteGroup(String groupId) {
    try {
      await(admin.deleteConsumerGroups(List.of(groupId)).all(), "delete group " + groupId);
    } catch (CliException e) {
      if (!(e.getCause() instanceof GroupIdNotFoundException)) {
        throw e;
      }
    }
  }

  public static final java.util.Comparator<TopicPartition> PARTITION_ORDER =
      java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
