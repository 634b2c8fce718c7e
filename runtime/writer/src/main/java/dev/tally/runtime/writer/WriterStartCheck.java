package dev.tally.runtime.writer;

import dev.tally.runtime.streams.PartitionCounts;
import dev.tally.runtime.streams.StartCheck;
import dev.tally.schemas.Writers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What must hold before a single writer decides anything (ADR 17).
 *
 * <ul>
 *   <li>The commands and events topics have the same partition count, and the writer's
 *       changelogs (made at its first start with the commands topic's count) still have it: a
 *       changed count sends aggregates to other partitions, to a writer without their state.</li>
 *   <li>Every partition of the event log that holds events has a non-empty state changelog, and
 *       the other way round: state lost (a reset of the writer's group, deleted changelogs) would
 *       have the writer open existing aggregates again and append versions the log already has;
 *       a log lost (a wrong events topic) would have it continue a history nobody can read. A
 *       changelog partition whose every state was deleted (rebuild-writer-state removes a state
 *       the log never had) holds none.</li>
 * </ul>
 */
public final class WriterStartCheck implements StartCheck {

  private static final long TIMEOUT_SECONDS = 15;

  private final WriterSettings settings;
  private final String stateChangelog;
  private final String idempotencyChangelog;
  private final Map<String, Object> kafka;

  /** @param kafka client settings (bootstrap servers) for reading a changelog partition */
  public WriterStartCheck(WriterSettings settings, String applicationId, Map<String, Object> kafka) {
    Writers.requireWriter(applicationId);
    this.settings = settings;
    this.kafka = Map.copyOf(kafka);
    this.stateChangelog = WriterSettings.changelog(applicationId, settings.stateStore());
    this.idempotencyChangelog = WriterSettings.changelog(applicationId, settings.idempotencyStore());
  }

  @Override
  public Optional<String> refusal(Admin admin) throws Exception {
    Map<String, Integer> partitions = PartitionCounts.of(admin,
        List.of(settings.commandsTopic(), settings.eventsTopic(), stateChangelog, idempotencyChangelog));
    for (String required : List.of(settings.commandsTopic(), settings.eventsTopic())) {
      if (!partitions.containsKey(required)) {
        return Optional.of("the topic " + required + " does not exist");
      }
    }
    int commands = partitions.get(settings.commandsTopic());
    List<String> differing = new ArrayList<>();
    for (String topic : List.of(settings.eventsTopic(), stateChangelog, idempotencyChangelog)) {
      Integer count = partitions.get(topic);
      if (count != null && count != commands) {
        differing.add(topic + " has " + count);
      }
    }
    if (!differing.isEmpty()) {
      return Optional.of(settings.commandsTopic() + " has " + commands + " partitions but " + String.join(", ", differing)
          + ": a changed partition count moves aggregates to partitions whose writer lacks their state;"
          + " repartitioning is a migration of the whole log, not a setting");
    }
    return stateMatchesTheLog(admin, commands, partitions.containsKey(stateChangelog));
  }

  private Optional<String> stateMatchesTheLog(Admin admin, int partitions, boolean stateExists) throws Exception {
    List<Integer> withoutState = new ArrayList<>();
    List<Integer> withoutEvents = new ArrayList<>();
    Map<Integer, Boolean> events = holdsRecords(admin, settings.eventsTopic(), partitions);
    Map<Integer, Boolean> states = stateExists ? holdsRecords(admin, stateChangelog, partitions) : Map.of();
    for (int p = 0; p < partitions; p++) {
      boolean hasEvents = events.get(p);
      boolean hasState = states.getOrDefault(p, false);
      if (hasEvents && !hasState) {
        withoutState.add(p);
      } else if (hasState && !hasEvents && holdsLiveState(p)) {
        withoutEvents.add(p);
      }
    }
    if (!withoutState.isEmpty()) {
      return Optional.of("the event log holds events on partitions " + withoutState + " of " + settings.eventsTopic()
          + " but the writer's state (" + stateChangelog + ") has nothing there: its state was lost (a reset of its"
          + " group?). Rebuild it from the event log with rebuild-writer-state --execute; the writer starts by itself"
          + " once it is back");
    }
    if (!withoutEvents.isEmpty()) {
      return Optional.of("the writer's state (" + stateChangelog + ") holds aggregates on partitions " + withoutEvents
          + " but " + settings.eventsTopic() + " has no events there: is this the right events topic and cluster?");
    }
    return Optional.empty();
  }


  /**
   * Whether a partition of the state changelog holds a state that was not deleted since: read
   * only for a partition without events, so normally never.
   */
  private boolean holdsLiveState(int partition) {
    Map<String, Object> config = new HashMap<>(kafka);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    TopicPartition changelog = new TopicPartition(stateChangelog, partition);
    Map<String, Boolean> live = new HashMap<>();
    try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(changelog));
      consumer.seekToBeginning(List.of(changelog));
      long end = consumer.endOffsets(List.of(changelog)).get(changelog);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
      while (consumer.position(changelog) < end) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("cannot read " + changelog + " to its end within " + TIMEOUT_SECONDS + " s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(record -> live.put(record.key(), record.value() != null));
      }
    }
    return live.containsValue(true);
  }

  /** Per partition: whether it holds any record (its end is beyond its start). */
  private static Map<Integer, Boolean> holdsRecords(Admin admin, String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    var starts = admin.listOffsets(earliest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    var ends = admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Map<Integer, Boolean> holds = new HashMap<>();
    starts.forEach((partition, start) -> holds.put(partition.partition(), ends.get(partition).offset() > start.offset()));
    return holds;
  }
}
