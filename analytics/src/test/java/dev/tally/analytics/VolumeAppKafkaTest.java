package dev.tally.analytics;

import static dev.tally.analytics.TestEvents.deposited;
import static dev.tally.analytics.TestEvents.encode;
import static dev.tally.analytics.TestEvents.headers;
import static dev.tally.analytics.TestEvents.opened;
import static dev.tally.analytics.TestEvents.withdrawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import dev.tally.testing.Await;
import dev.tally.testing.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The application on a real broker: from the earliest offset of a pre-filled events topic to final results. */
class VolumeAppKafkaTest {

  @TempDir
  Path stateDir;

  /**
   * A replay of a log whose partitions differ in density and in event-time span: one partition
   * holds thousands of events over two hours, one holds a few spread over the same hours, one a
   * single event, one nothing (and a poison record, skipped). Whatever order the partitions are
   * read in, every published window equals a fold of the log computed here, and each is published
   * once.
   */
  @Test
  void aReplayOfPartitionsOfUnevenDensityPublishesExactlyTheFoldOfTheLog() throws Exception {
    List<String> topics = TestInfrastructure.createTopics(4, "uneven-events", "uneven-volume");
    String eventsTopic = topics.get(0);
    String outputTopic = topics.get(1);
    Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(6));
    String eur = UUID.randomUUID().toString();
    String usd = UUID.randomUUID().toString();
    String sparse = UUID.randomUUID().toString();
    String single = UUID.randomUUID().toString();
    Map<Integer, List<SpecificRecord>> byPartition = new TreeMap<>();
    List<SpecificRecord> dense = new ArrayList<>(List.of(opened(eur, "EUR", start), opened(usd, "USD", start)));
    Map<String, Long> versions = new HashMap<>(Map.of(eur, 1L, usd, 1L));
    for (int i = 1; i <= 3_000; i++) {
      Instant at = start.plusMillis(i * 2_400L);
      String account = i % 3 == 0 ? usd : eur;
      long version = versions.merge(account, 1L, Long::sum);
      dense.add(i % 5 == 0 ? withdrawn(account, version, i % 97 + 1, at) : deposited(account, version, i % 89 + 1, at));
    }
    byPartition.put(0, dense);
    List<SpecificRecord> few = new ArrayList<>(List.of(opened(sparse, "EUR", start)));
    for (int k = 1; k <= 20; k++) {
      few.add(deposited(sparse, k + 1, 1_000 + k, start.plus(Duration.ofMinutes(6L * k)).minusSeconds(1)));
    }
    byPartition.put(1, few);
    byPartition.put(2, List.of(opened(single, "GBP", start), deposited(single, 2, 77, start.plus(Duration.ofMinutes(119)))));
    byPartition.put(3, List.of());
    Map<String, VolumeResult> expected = fold(byPartition.values().stream().flatMap(List::stream).toList());
    sendTo(eventsTopic, byPartition, 1);

    VolumeConfig config = VolumeConfig.defaults()
        .withBootstrapServers(TestInfrastructure.kafkaBootstrapServers())
        .withApplicationId(TestInfrastructure.uniqueName("analytics-replay"))
        .withTopics(eventsTopic, outputTopic)
        .withStateDir(stateDir);
    Map<String, VolumeResult> results = new HashMap<>();
    List<String> published = new ArrayList<>();
    try (KafkaStreams streams = VolumeApp.start(config); var consumer = outputConsumer(outputTopic)) {
      Await.until(Duration.ofSeconds(120), "every window of the log is published", () -> {
        consumer.poll(Duration.ofMillis(100)).forEach(record -> {
          published.add(record.key());
          results.put(record.key(), VolumeResult.fromJson(record.value()));
        });
        assertThat(streams.state()).isNotIn(KafkaStreams.State.ERROR, KafkaStreams.State.NOT_RUNNING);
        return results.keySet().containsAll(expected.keySet());
      });
    } finally {
      long differing = expected.entrySet().stream().filter(e -> !e.getValue().equals(results.get(e.getKey()))).count();
      System.out.printf("published %d windows of %d in the fold, %d missing or different%n", results.size(),
          expected.size(), differing);
    }
    assertThat(results).isEqualTo(expected);
    assertThat(published).as("each window published once").doesNotHaveDuplicates();
  }

  /** Money volume per currency and minute, straight from the events: what a replay must publish. */
  private static Map<String, VolumeResult> fold(List<SpecificRecord> events) {
    record Window(String currency, Instant start) {
    }
    Map<String, String> currencies = new HashMap<>();
    Map<Window, Volume> volumes = new HashMap<>();
    for (SpecificRecord event : events) {
      EventMetadata metadata = (EventMetadata) event.get(0);
      Window window = new Window(currencies.get(metadata.getAggregateId()),
          metadata.getOccurredAt().truncatedTo(ChronoUnit.MINUTES));
      switch (event) {
        case AccountOpened opened -> currencies.put(metadata.getAggregateId(), opened.getCurrency());
        case MoneyDeposited deposited -> volumes.merge(window, Volume.deposit(deposited.getAmount()), Volume::plus);
        case MoneyWithdrawn withdrawn -> volumes.merge(window, Volume.withdrawal(withdrawn.getAmount()), Volume::plus);
        default -> throw new IllegalArgumentException(event.toString());
      }
    }
    Map<String, VolumeResult> results = new HashMap<>();
    volumes.forEach((window, volume) -> results.put(VolumeResult.key(window.currency(), window.start()),
        VolumeResult.of(window.currency(), window.start(), window.start().plusSeconds(60), volume)));
    return results;
  }

  /** Each partition's events, in order, then a poison record on partition {@code poisoned}. */
  private static void sendTo(String topic, Map<Integer, List<SpecificRecord>> byPartition, int poisoned) {
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      byPartition.forEach((partition, events) -> events.forEach(event -> producer.send(new ProducerRecord<>(topic,
          partition, null, ((EventMetadata) event.get(0)).getAggregateId(), encode(event), headers(event)))));
      ProducerRecord<String, byte[]> poison = new ProducerRecord<>(topic, poisoned, "poison",
          "poison".getBytes(StandardCharsets.UTF_8));
      poison.headers().add(SchemaCatalog.TYPE_PROPERTY, "account.deposited".getBytes(StandardCharsets.UTF_8));
      producer.send(poison);
      producer.flush();
    }
  }

  private static KafkaConsumer<String, String> outputConsumer(String topic) {
    var consumer = new KafkaConsumer<>(Map.<String, Object>of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer());
    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(info -> new TopicPartition(topic, info.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }
}
