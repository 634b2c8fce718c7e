package dev.tally.cli;

import dev.tally.testing.TestInfrastructure;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test fixtures on the real broker: records with chosen timestamps, commits, reading offsets back. */
final class Groups {

  private Groups() {
  }

  static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
  }

  /** {@code count} records into each partition; record i of a partition has timestamp {@code firstMillis + i * 1000}. */
  static void produce(String topic, int partitions, int count, long firstMillis) {
    try (var producer = producer()) {
      for (int p = 0; p < partitions; p++) {
        for (int i = 0; i < count; i++) {
          producer.send(new ProducerRecord<>(topic, p, firstMillis + i * 1_000L, "k" + i, new byte[] {(byte) i}));
        }
      }
      producer.flush();
    }
  }

  static KafkaConsumer<String, byte[]> consumer(String group) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Commits these offsets for {@code group} as a stopped consumer would have left them. */
  static void commit(String group, Map<TopicPartition, Long> offsets) {
    try (var consumer = consumer(group)) {
      Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
      offsets.forEach((p, o) -> commit.put(p, new OffsetAndMetadata(o)));
      consumer.assign(offsets.keySet());
      consumer.commitSync(commit);
    }
  }

  static Map<TopicPartition, Long> committed(String group) {
    try (Admin admin = admin()) {
      Map<TopicPartition, Long> offsets = new TreeMap<>(Kafka.PARTITION_ORDER);
      admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
          .forEach((p, o) -> offsets.put(p, o.offset()));
      return offsets;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the offsets of " + group, e);
    }
  }

  static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers()));
  }

  static Map<TopicPartition, Long> offsets(String topic, long... perPartition) {
    Map<TopicPartition, Long> offsets = new TreeMap<>(Kafka.PARTITION_ORDER);
    for (int p = 0; p < perPartition.length; p++) {
      offsets.put(new TopicPartition(topic, p), perPartition[p]);
    }
    return offsets;
  }

  static List<String> topics() {
    try (Admin admin = admin()) {
      return List.copyOf(admin.listTopics().names().get(30, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("cannot list topics", e);
    }
  }
}
