package dev.tally.runtime.writer;

import dev.tally.runtime.core.Rejection;
import dev.tally.runtime.streams.PartitionCounts;
import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.Writers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Rebuilds the single writer's aggregate states from the event log alone.
 *
 * <p>The event log is the source of truth; the writer's state store (and its changelog topic) is
 * a cache of the fold of each aggregate's events. This folds the whole events topic with the
 * pure decider, compares every aggregate with the latest snapshot in the changelog, and (when
 * executed) writes, in one transaction, the folded snapshot for each one that differs or cannot
 * be decoded and a tombstone for each snapshot that has no events. The writer must be stopped: on
 * its next start, Kafka Streams restores its stores from the changelog, corrections included.
 *
 * <p>It refuses what would destroy rather than repair: a writer that is (or becomes, while the log
 * is read) a member of its group, an events topic that is missing or empty while the writer holds
 * state, partition counts that differ, and stored states written by a newer version. The answers
 * remembered for idempotency keys are not in the log and are not rebuilt.
 */
public final class StateRebuild<C, E, S, R extends Rejection> {

  private static final AvroCodec CODEC = AvroCodec.standard();
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(10);
  private static final long TIMEOUT_SECONDS = 30;

  private final AggregateBinding<C, E, S, R> binding;
  private final WriterSettings settings;
  private final String applicationId;
  private final Map<String, Object> kafka;

  public StateRebuild(AggregateBinding<C, E, S, R> binding, WriterSettings settings, String applicationId,
      Map<String, Object> kafka) {
    this.binding = binding;
    this.settings = settings;
    this.applicationId = Writers.requireWriter(applicationId);
    this.kafka = Map.copyOf(kafka);
  }

  /** Name of the changelog topic Kafka Streams keeps for the writer's state store. */
  public String changelogTopic() {
    return WriterSettings.changelog(applicationId, settings.stateStore());
  }

  /**
   * Compares, and with {@code execute} repairs, the writer's stored states against the event log.
   *
   * @throws IllegalStateException if the writer group has live members (before or after the log
   *     was read), or if what it finds would make a repair destroy state
   */
  public Report run(boolean execute) throws Exception {
    try (Admin admin = Admin.create(kafka)) {
      refuseWhileRunning(admin);
      int partitions = partitionCount(admin);
      Map<String, S> folded = new LinkedHashMap<>();
      List<String> gaps = new ArrayList<>();
      long events = read(settings.eventsTopic(), (id, value) -> {
        var record = CODEC.decode(value);
        long version = Envelopes.event(record).getAggregateVersion();
        S state = folded.getOrDefault(id, binding.decider().initialState());
        if (version != binding.version(state) + 1) {
          gaps.add(id + ": event version " + version + " after version " + binding.version(state));
        }
        folded.put(id, binding.decider().evolve(state, binding.event(record)));
      });
      Map<String, byte[]> stored = new HashMap<>();
      read(changelogTopic(), (id, value) -> {
        if (value == null) {
          stored.remove(id);
        } else {
          stored.put(id, value);
        }
      });
      if (events == 0 && !stored.isEmpty()) {
        throw new IllegalStateException("the events topic " + settings.eventsTopic() + " is missing or empty, but the"
            + " writer's state holds " + stored.size() + " aggregate(s): refusing to delete them (the wrong topic or"
            + " cluster?)");
      }

      Map<String, byte[]> corrections = new LinkedHashMap<>();
      folded.forEach((id, state) -> {
        byte[] current = stored.get(id);
        if (current == null || !Objects.equals(storedState(id, current), Optional.of(state))) {
          corrections.put(id, CODEC.encode(binding.snapshot(state)));
        }
      });
      stored.keySet().stream().filter(id -> !folded.containsKey(id)).forEach(id -> corrections.put(id, null));

      if (execute && !corrections.isEmpty()) {
        // Reading the log takes a while: a writer may have started meanwhile.
        refuseWhileRunning(admin);
        ensureChangelog(admin, partitions);
        write(corrections);
      }
      return new Report(folded.size(), events, List.copyOf(corrections.keySet()), gaps, execute ? corrections.size() : 0);
    }
  }

  /** A stored state, or empty when its bytes are corrupt (it is then overwritten by the fold). */
  private Optional<S> storedState(String id, byte[] bytes) {
    try {
      return Optional.of(binding.state(CODEC.decode(bytes)));
    } catch (AvroCodec.UnknownSchemaException e) {
      throw new IllegalStateException("the stored state of " + id + " was written by a newer version ("
          + e.getMessage() + "): rebuild it with that version", e);
    } catch (AvroCodec.UndecodableRecordException e) {
      return Optional.empty();
    }
  }

  private void refuseWhileRunning(Admin admin) throws Exception {
    try {
      ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId))
          .describedGroups().get(applicationId).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!group.members().isEmpty()) {
        throw new IllegalStateException("the writer group " + applicationId + " has " + group.members().size()
            + " live member(s); stop every command API instance first (nothing was written)");
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof GroupIdNotFoundException)) {
        throw e;
      }
    }
  }

  /** The partition count shared by the commands and events topics and the state changelog; refuses if they differ. */
  private int partitionCount(Admin admin) throws Exception {
    Map<String, Integer> counts = PartitionCounts.of(admin,
        List.of(settings.commandsTopic(), settings.eventsTopic(), changelogTopic()));
    Integer commands = counts.get(settings.commandsTopic());
    if (commands == null) {
      throw new IllegalStateException("the commands topic " + settings.commandsTopic() + " does not exist");
    }
    if (counts.values().stream().anyMatch(count -> !count.equals(commands))) {
      throw new IllegalStateException("the writer's topics have different partition counts " + counts
          + ": a snapshot would land in a partition whose writer does not own its aggregate");
    }
    return commands;
  }

  /** A reset deletes the changelog: make it again as Kafka Streams would (compacted, one partition per task). */
  private void ensureChangelog(Admin admin, int partitions) throws Exception {
    if (!admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).contains(changelogTopic())) {
      admin.createTopics(List.of(new NewTopic(changelogTopic(), Optional.of(partitions), Optional.empty())
          .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
          .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** Reads a topic from its beginning to its last stable offset, as a read_committed consumer. */
  private long read(String topic, BiConsumer<String, byte[]> onRecord) {
    Map<String, Object> config = new HashMap<>(kafka);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "tally-state-rebuild-" + UUID.randomUUID());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    long count = 0;
    try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        return 0;
      }
      List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end within " + READ_TIMEOUT);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
            onRecord.accept(record.key(), record.value());
            count++;
          }
        }
      }
    }
    return count;
  }

  /** All corrections or none: one transaction, every send checked. */
  private void write(Map<String, byte[]> corrections) {
    Map<String, Object> config = new HashMap<>(kafka);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // One id per writer: a second rebuild of the same writer fences the first.
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tally-state-rebuild-" + applicationId);
    try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      try {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        corrections.forEach((id, snapshot) -> sends.add(producer.send(new ProducerRecord<>(changelogTopic(), id, snapshot))));
        producer.commitTransaction();
        for (Future<RecordMetadata> send : sends) {
          send.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        abort(producer);
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        throw new IllegalStateException("writing the corrections to " + changelogTopic() + " failed (" + cause
            + "): nothing was written", e);
      }
    }
  }

  private static void abort(KafkaProducer<String, byte[]> producer) {
    try {
      producer.abortTransaction();
    } catch (RuntimeException alreadyFailed) {
      // A failed commit may have aborted it already; read_committed readers see nothing of it either way.
    }
  }

  /**
   * What a rebuild found.
   *
   * @param aggregates aggregates found in the event log
   * @param events events read
   * @param differing aggregates whose stored state differed from the fold of their events (or
   *     stored states with no events at all)
   * @param gaps aggregates whose versions in the log are not 1, 2, 3, ...
   * @param written corrections written to the changelog (0 in a dry run)
   */
  public record Report(int aggregates, long events, List<String> differing, List<String> gaps, int written) {

    @Override
    public String toString() {
      return "aggregates: " + aggregates + ", events: " + events + ", differing: " + differing.size()
          + (differing.isEmpty() ? "" : " " + differing.subList(0, Math.min(10, differing.size())))
          + ", version gaps: " + gaps.size() + ", corrections written: " + written;
    }
  }
}
