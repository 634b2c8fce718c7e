package dev.tally.runtime.streams;

import dev.tally.runtime.streams.PartitionCounts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;

/**
 * Proves that an application's local state belongs to this cluster and to these changelogs, and
 * says so when it cannot.
 *
 * <p>Kafka Streams trusts whatever it finds in its state directory: a checkpoint left by another
 * cluster (another stack on the machine, a re-created cluster) or by a deleted changelog is taken
 * as "restored up to here", and the application then decides on state its changelog never had.
 * So beside the state this keeps the cluster id and the topic id of every changelog it was built
 * from ({@value #FILE}, written once the application runs), and before a start it finds a reason
 * to wipe the state when the record is missing, when the cluster or a changelog differs, or when a
 * checkpoint lies beyond its changelog's end (the log lost what the state holds). Wiping costs a
 * restore from the changelog; trusting the wrong state costs money.
 */
final class LocalStateOrigin {

  static final String FILE = "tally-state-origin.properties";
  private static final String CLUSTER = "cluster.id";
  private static final String TOPIC = "topic.";
  private static final String ABSENT = "absent";
  private static final String CHECKPOINT = ".checkpoint";
  private static final long TIMEOUT_SECONDS = 15;

  private final Path directory;
  private final List<String> changelogs;

  private LocalStateOrigin(Path directory, List<String> changelogs) {
    this.directory = directory;
    this.changelogs = changelogs;
  }

  /** The origin of the state an application with these settings keeps in {@code <state.dir>/<application.id>}. */
  static LocalStateOrigin of(Topology topology, String applicationId, Path stateDir) {
    List<String> changelogs = topology.describe().subtopologies().stream()
        .flatMap(subtopology -> subtopology.nodes().stream())
        .filter(TopologyDescription.Processor.class::isInstance)
        .flatMap(node -> ((TopologyDescription.Processor) node).stores().stream())
        .distinct().sorted()
        .map(store -> applicationId + "-" + store + "-changelog")
        .toList();
    return new LocalStateOrigin(stateDir.resolve(applicationId), changelogs);
  }

  /** Why the local state must be wiped before a start, or empty when it is proven (or there is none). */
  Optional<String> reasonToWipe(Admin admin) throws Exception {
    List<Path> tasks = taskDirectories();
    if (tasks.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> current = identity(admin);
    Optional<Map<String, String>> recorded = recorded();
    if (recorded.isEmpty()) {
      return Optional.of("nothing records which cluster and changelogs it was built from");
    }
    if (!recorded.get().equals(current)) {
      return Optional.of("it was built from " + recorded.get() + ", but the cluster and changelogs are now " + current);
    }
    Map<TopicPartition, Long> checkpoints = new HashMap<>();
    for (Path task : tasks) {
      Optional<String> unreadable = readCheckpoint(task.resolve(CHECKPOINT), checkpoints);
      if (unreadable.isPresent()) {
        return unreadable;
      }
    }
    return beyondTheEnd(admin, checkpoints);
  }

  /** Deletes the record: until a new one is written, the state proves nothing. */
  void forget() throws IOException {
    Files.deleteIfExists(directory.resolve(FILE));
  }

  /** Records the cluster and changelogs the state now comes from (once the application runs on them). */
  void record(Admin admin) throws Exception {
    if (!Files.isDirectory(directory)) {
      return; // no persistent store: nothing local to prove
    }
    Properties properties = new Properties();
    properties.putAll(identity(admin));
    Path written = directory.resolve(FILE + ".new");
    try (Writer out = Files.newBufferedWriter(written, StandardCharsets.UTF_8)) {
      properties.store(out, "where the local state of this application comes from");
    }
    Files.move(written, directory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private List<Path> taskDirectories() throws IOException {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.filter(Files::isDirectory).toList();
    }
  }

  private Map<String, String> identity(Admin admin) throws Exception {
    Map<String, String> identity = new TreeMap<>();
    identity.put(CLUSTER, admin.describeCluster().clusterId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    Map<String, KafkaFuture<TopicDescription>> topics = admin.describeTopics(changelogs).topicNameValues();
    for (String changelog : changelogs) {
      identity.put(TOPIC + changelog, topicId(topics.get(changelog)));
    }
    return identity;
  }

  private static String topicId(KafkaFuture<TopicDescription> description) throws Exception {
    try {
      return description.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).topicId().toString();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return ABSENT;
      }
      throw e;
    }
  }

  private Optional<Map<String, String>> recorded() throws IOException {
    Path file = directory.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    }
    Map<String, String> recorded = new TreeMap<>();
    properties.stringPropertyNames().forEach(name -> recorded.put(name, properties.getProperty(name)));
    return Optional.of(recorded);
  }

  /**
   * Reads a Kafka Streams checkpoint file (version 0: a version line, a count line, then
   * {@code topic partition offset} per line) into {@code offsets}; returns why it cannot be trusted.
   */
  private static Optional<String> readCheckpoint(Path file, Map<TopicPartition, Long> offsets) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      if (!"0".equals(in.readLine()) || in.readLine() == null) {
        return Optional.of("its checkpoint " + file + " has a format this version does not read");
      }
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] fields = line.strip().split("\\s+");
        long offset = Long.parseLong(fields[2]);
        if (offset >= 0) {
          offsets.put(new TopicPartition(fields[0], Integer.parseInt(fields[1])), offset);
        }
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.of("its checkpoint " + file + " cannot be read: " + e.getMessage());
    }
  }

  private static Optional<String> beyondTheEnd(Admin admin, Map<TopicPartition, Long> checkpoints) throws Exception {
    List<String> beyond = new ArrayList<>();
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    Map<String, Integer> partitions = PartitionCounts.of(admin,
        checkpoints.keySet().stream().map(TopicPartition::topic).distinct().toList());
    for (TopicPartition partition : checkpoints.keySet()) {
      // Offsets of a partition that does not exist are never answered: ask only for those that do.
      if (partition.partition() < partitions.getOrDefault(partition.topic(), 0)) {
        request.put(partition, OffsetSpec.latest());
      } else {
        beyond.add(partition + " (no such changelog partition)");
      }
    }
    if (!request.isEmpty()) {
      admin.listOffsets(request).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach((partition, end) -> {
        long checkpoint = checkpoints.get(partition);
        // A checkpoint is the offset of the last record the state holds: it must lie below the end.
        if (checkpoint >= end.offset()) {
          beyond.add(partition + " at " + checkpoint + ", its end is " + end.offset());
        }
      });
    }
    return beyond.isEmpty() ? Optional.empty()
        : Optional.of("its checkpoints lie beyond the end of their changelogs: " + String.join(", ", beyond));
  }
}
