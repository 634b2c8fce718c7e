package dev.tally.cli;

import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.projection.ProjectionTables;
import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
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
import java.util.stream.Collectors;
import javax.sql.DataSource;
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
 * whether the group has live members; then the read model's generations and the keys each holds
 * back (parked), by kind, when its database can be reached.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
        "Consumer groups and Kafka Streams apps: offsets, lag, live members.",
        "",
        "Every group with committed offsets, per partition: committed offset, end offset "
            + "(read_committed), lag in records, lag in time (age of the oldest unconsumed record), and "
            + "whether it has live members.",
        "",
        "Then, if the read model's database answers, each live or building generation and the keys it holds "
            + "back (parked: a gap or conflict in an aggregate's versions, a record it cannot read), by kind."})
final class StatusCommand implements Callable<Integer> {

  /** How long to look for the oldest unconsumed record of one partition before giving up on its age. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  @Mixin
  private KafkaOptions kafkaOptions;

  @Mixin
  private DatabaseOptions database;

  @Option(names = "--topic", paramLabel = "TOPIC",
      description = "Only offsets on this topic (repeatable). Default: every topic a group has committed offsets on.")
  private List<String> topics = new ArrayList<>();

  @Option(names = "--json", description = "JSON instead of a table.")
  private boolean json;

  @Spec
  private CommandSpec spec;

  private final Registry registry;

  StatusCommand(Registry registry) {
    this.registry = registry;
  }

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

  /** A generation of the read model and how many keys it holds back, by kind. */
  record GenerationStatus(Generation generation, Map<String, Integer> parked) {
    int total() {
      return parked.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /** The read model's generations, or why they could not be read. */
  record ReadModelStatus(List<GenerationStatus> generations, String unavailable) {
  }

  @Override
  public Integer call() {
    try (Kafka kafka = kafkaOptions.connect()) {
      List<GroupStatus> statuses = status(kafka);
      ReadModelStatus readModel = readModel();
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> document = toJson(statuses);
        document.put("readModel", toJson(readModel));
        out.println(Formats.json(document));
      } else {
        print(statuses, out);
        print(readModel, out);
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

  private ReadModelStatus readModel() {
    try {
      DataSource db = database.connect();
      List<GenerationStatus> generations = new ArrayList<>();
      try (Connection connection = db.getConnection()) {
        List<Projection<?>> projections = registry.projections();
        for (Generation generation : new Generations(db, database.readerRole(), projections).projected()) {
          Map<String, Integer> parked = new TreeMap<>();
          for (Projection<?> projection : projections) {
            ProjectionTables.parkedByKind(connection, generation.schema(), projection.name())
                .forEach((kind, count) -> parked.merge(kind, count, Integer::sum));
          }
          generations.add(new GenerationStatus(generation, parked));
        }
      }
      return new ReadModelStatus(generations, null);
    } catch (SQLException | RuntimeException e) {
      return new ReadModelStatus(List.of(), TallyCli.describe(e));
    }
  }

  private static void print(ReadModelStatus readModel, PrintWriter out) {
    out.println();
    if (readModel.unavailable() != null) {
      out.println("Read model: not read (" + readModel.unavailable() + ")");
      return;
    }
    out.println("Read model:");
    if (readModel.generations().isEmpty()) {
      out.println("  no generation yet (the projector has not started)");
    }
    for (GenerationStatus status : readModel.generations()) {
      Generation g = status.generation();
      String parked = status.total() == 0 ? "no parked keys"
          : status.total() + " parked key(s): " + status.parked().entrySet().stream()
              .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
              .map(kind -> kind.getValue() + " " + kind.getKey()).collect(Collectors.joining(", "))
              + " (tally dead-letters list)";
      out.printf("  generation %d (%s, %s): %s%n", g.number(), g.schema(), g.state(), parked);
    }
  }

  private static Map<String, Object> toJson(ReadModelStatus readModel) {
    Map<String, Object> document = new LinkedHashMap<>();
    if (readModel.unavailable() != null) {
      document.put("unavailable", readModel.unavailable());
      return document;
    }
    List<Map<String, Object>> generations = new ArrayList<>();
    for (GenerationStatus status : readModel.generations()) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("generation", status.generation().number());
      g.put("schema", status.generation().schema());
      g.put("state", status.generation().state().name());
      g.put("applicationId", status.generation().applicationId());
      g.put("parkedKeys", status.total());
      g.put("parked", status.parked());
      generations.add(g);
    }
    document.put("generations", generations);
    return document;
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
