package dev.tally.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tally status}: every consumer group and Kafka Streams application with committed offsets,
 * per partition: committed offset, end offset (read_committed), lag in records and in time, and
 * whether the group has live members.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
        "Consumer groups and Kafka Streams apps: offsets, lag, live members.",
        "",
        "Every group with committed offsets, per partition: committed offset, end offset "
            + "(read_committed), lag in records, lag in time (age of the oldest unconsumed record), and "
            + "whether it has live members."})
final class StatusCommand implements Callable<Integer> {

  /** How long to look for the oldest unconsumed record of one partition before giving up on its age. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  @Mixin
  private KafkaOptions kafkaOptions;

  @Option(names = "--topic", paramLabel = "TOPIC",
      description = "Only offsets on this topic (repeatable). Default: every topic a group has committed offsets on.")
  private List<String> topics = new ArrayList<>();

  @Option(names = "--json", description = "JSON instead of a table.")
  private boolean json;

  @Spec
  private CommandSpec spec;

  record PartitionStatus(TopicPartition partition, Long committed, long end, long lag, long lagMillis) {
  }

  record GroupStatus(String group, String type, String state, int members, List<PartitionStatus> partitions) {
    long lag() {
      return partitions.stream().mapToLong(PartitionStatus::lag).sum();
    }

    long lagMillis() {
      return partitions.stream().mapToLong(PartitionStatus::lagMillis).max().orElse(0);
    }
  }

  @Override
  public Integer call() {
    try (Kafka kafka = kafkaOptions.connect()) {
      List<GroupStatus> statuses = status(kafka);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Formats.json(toJson(statuses)));
      } else {
        print(statuses, out);
      }
      out.flush();
      return TallyCli.OK;
    }
  }

  private List<GroupStatus> status(Kafka kafka) {
    Set<String> wanted = new LinkedHashSet<>(topics);
    Map<String, List<TopicPartition>> partitionsByTopic = new HashMap<>();
    record Found(GroupListing group, Map<TopicPartition, Long> committed, List<TopicPartition> partitions) {
    }
    List<Found> found = new ArrayList<>();
    for (GroupListing group : kafka.groups()) {
      if (Kafka.isShareGroup(group)) {
        continue;
      }
      Map<TopicPartition, Long> committed = new TreeMap<>(Kafka.PARTITION_ORDER);
      kafka.committedOffsets(group).forEach((partition, offset) -> {
        if (wanted.isEmpty() || wanted.contains(partition.topic())) {
          committed.put(partition, offset);
        }
      });
      if (committed.isEmpty()) {
        continue;
      }
      // Every partition of each topic the group reads: a partition it never committed on lags by all of it.
      List<TopicPartition> partitions = new ArrayList<>();
      committed.keySet().stream().map(TopicPartition::topic).distinct().forEach(topic ->
          partitions.addAll(partitionsByTopic.computeIfAbsent(topic, t -> {
            try {
              return kafka.partitions(t);
            } catch (CliException deleted) {
              return committed.keySet().stream().filter(p -> p.topic().equals(t)).toList();
            }
          })));
      found.add(new Found(group, committed, partitions));
    }
    List<TopicPartition> all = found.stream().flatMap(f -> f.partitions().stream()).distinct().toList();
    Map<TopicPartition, Long> ends = kafka.offsets(all, OffsetSpec.latest(), "end offsets");
    Map<TopicPartition, Long> starts = kafka.offsets(all, OffsetSpec.earliest(), "start offsets");

    List<GroupStatus> statuses = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> probe = kafka.reader()) {
      Instant now = Instant.now();
      Map<TopicPartition, Map<Long, Long>> ages = new HashMap<>();
      for (Found f : found) {
        List<PartitionStatus> partitions = new ArrayList<>();
        for (TopicPartition partition : f.partitions()) {
          Long committed = f.committed().get(partition);
          long end = ends.getOrDefault(partition, 0L);
          long from = Math.max(committed == null ? 0 : committed, starts.getOrDefault(partition, 0L));
          long lag = Math.max(0, end - from);
          long lagMillis = lag == 0 ? 0 : ages.computeIfAbsent(partition, p -> new HashMap<>())
              .computeIfAbsent(from, offset -> ageOfRecordAt(probe, partition, offset, end, now));
          partitions.add(new PartitionStatus(partition, committed, end, lag, lagMillis));
        }
        GroupListing group = f.group();
        statuses.add(new GroupStatus(group.groupId(), Kafka.typeName(group),
            group.groupState().map(Object::toString).orElse("unknown"), kafka.liveMembers(group), partitions));
      }
    }
    return statuses;
  }

  /** now minus the timestamp of the first committed record at or after {@code offset}; 0 if none is found. */
  private static long ageOfRecordAt(KafkaConsumer<String, byte[]> probe, TopicPartition partition, long offset,
      long end, Instant now) {
    probe.assign(List.of(partition));
    probe.seek(partition, offset);
    long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline && probe.position(partition) < end) {
      for (ConsumerRecord<String, byte[]> record : probe.poll(Duration.ofMillis(200))) {
        return Math.max(0, now.toEpochMilli() - record.timestamp());
      }
    }
    return 0;
  }

  private static void print(List<GroupStatus> statuses, PrintWriter out) {
    if (statuses.isEmpty()) {
      out.println("No consumer group has committed offsets.");
      return;
    }
    Table table = new Table("GROUP", "TYPE", "STATE", "LIVE", "MEMBERS", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG",
        "LAG-TIME");
    for (GroupStatus group : statuses) {
      for (PartitionStatus p : group.partitions()) {
        String lagTime = p.lag() == 0 ? "-" : Formats.age(p.lagMillis());
        table.row(group.group(), group.type(), group.state(), group.members() > 0 ? "yes" : "no", group.members(),
            p.partition().topic(), p.partition().partition(), p.committed(), p.end(), p.lag(), lagTime);
      }
    }
    table.print(out, "");
  }

  private static Map<String, Object> toJson(List<GroupStatus> statuses) {
    List<Map<String, Object>> groups = new ArrayList<>();
    for (GroupStatus group : statuses) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("group", group.group());
      g.put("type", group.type());
      g.put("state", group.state());
      g.put("members", group.members());
      g.put("live", group.members() > 0);
      g.put("lag", group.lag());
      g.put("lagMillis", group.lagMillis());
      List<Map<String, Object>> partitions = new ArrayList<>();
      for (PartitionStatus p : group.partitions()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("topic", p.partition().topic());
        row.put("partition", p.partition().partition());
        row.put("committed", p.committed());
        row.put("end", p.end());
        row.put("lag", p.lag());
        row.put("lagMillis", p.lagMillis());
        partitions.add(row);
      }
      g.put("partitions", partitions);
      groups.add(g);
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("groups", groups);
    return document;
  }
}
