package dev.tally.analytics;

import static dev.tally.analytics.TestEvents.deposited;
import static dev.tally.analytics.TestEvents.encode;
import static dev.tally.analytics.TestEvents.headers;
import static dev.tally.analytics.TestEvents.opened;
import static dev.tally.analytics.TestEvents.withdrawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.event.EventMetadata;
import dev.tally.testing.Await;
import dev.tally.testing.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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

  private static void send(String topic, List<SpecificRecord> events, boolean withPoison) {
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      for (SpecificRecord event : events) {
        String key = ((EventMetadata) event.get(0)).getAggregateId();
        producer.send(new ProducerRecord<>(topic, null, key, encode(event), headers(event)));
      }
      if (withPoison) {
        producer.send(new ProducerRecord<>(topic, ((EventMetadata) events.getFirst().get(0)).getAggregateId(),
            "poison".getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  /** Every partition with records, of the events and the repartition topic, is committed to its end. */
  private static boolean caughtUp(String applicationId, String eventsTopic) {
    String repartition = applicationId + "-" + VolumeTopology.REPARTITION + "-repartition";
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestInfrastructure.kafkaBootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (String topic : List.of(eventsTopic, repartition)) {
        for (int partition = 0; partition < 3; partition++) {
          latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
      }
      var ends = admin.listOffsets(latest).all().get();
      return ends.entrySet().stream().allMatch(end -> end.getValue().offset() == 0
          || (committed.get(end.getKey()) != null && committed.get(end.getKey()).offset() >= end.getValue().offset()));
    } catch (Exception e) {
      return false;
    }
  }

  private static final Instant T = Instant.parse("2026-11-24T10:15:00Z");

  @TempDir
  Path stateDir;

  @Test
  void computesTheVolumeOfHistoryWrittenBeforeItStarted() throws Exception {
    List<String> topics = TestInfrastructure.createTopics(3, "events", "volume");
    String eventsTopic = topics.get(0);
    String outputTopic = topics.get(1);
    String eur = UUID.randomUUID().toString();
    String usd = UUID.randomUUID().toString();

    // History written before the application starts: the 10:15 minute in both currencies, and poison.
    send(eventsTopic, List.of(
        opened(eur, "EUR", T),
        opened(usd, "USD", T.plusSeconds(1)),
        deposited(eur, 2, 1000, T.plusSeconds(10)),
        deposited(usd, 2, 500, T.plusSeconds(20)),
        withdrawn(eur, 3, 250, T.plusSeconds(30))), true);

    VolumeConfig config = VolumeConfig.defaults()
        .withBootstrapServers(TestInfrastructure.kafkaBootstrapServers())
        .withApplicationId(TestInfrastructure.uniqueName("analytics"))
        .withTopics(eventsTopic, outputTopic)
        .withStateDir(stateDir);
    Map<String, VolumeResult> results = new HashMap<>();
    try (KafkaStreams streams = VolumeApp.start(config);
         var consumer = new KafkaConsumer<>(Map.<String, Object>of(
             ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers(),
             ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
             ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(outputTopic).stream()
          .map(info -> new TopicPartition(outputTopic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);

      // Only once that history is consumed (through the repartition topic too), later events move
      // stream time past 10:16:30 and close the 10:15 windows. Sent earlier, another partition's
      // later event could reach the repartition topic first and make the 10:15 events late.
      Await.until(Duration.ofSeconds(45), "the history is consumed", () -> caughtUp(config.applicationId(), eventsTopic));
      send(eventsTopic, List.of(deposited(eur, 4, 1, T.plusSeconds(300)), deposited(usd, 3, 1, T.plusSeconds(300))), false);

      Await.until(Duration.ofSeconds(45), "both 10:15 windows are published", () -> {
        consumer.poll(Duration.ofMillis(100)).forEach(record -> results.put(record.key(), VolumeResult.fromJson(record.value())));
        assertThat(streams.state()).isNotIn(KafkaStreams.State.ERROR, KafkaStreams.State.NOT_RUNNING);
        return results.size() >= 2;
      });
    }

    assertThat(results).containsOnly(
        Map.entry("EUR@2026-11-24T10:15:00Z",
            new VolumeResult("EUR", "2026-11-24T10:15:00Z", "2026-11-24T10:16:00Z", 1000, 250, 2)),
        Map.entry("USD@2026-11-24T10:15:00Z",
            new VolumeResult("USD", "2026-11-24T10:15:00Z", "2026-11-24T10:16:00Z", 500, 0, 1)));
  }
}
