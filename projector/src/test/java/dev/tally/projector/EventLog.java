package dev.tally.projector;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.testing.TestInfrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Appends events to a test topic the way the write side does (keyed by account, Avro values). */
public final class EventLog implements AutoCloseable {

  private final String topic;
  private final boolean transactional;
  private final KafkaProducer<String, byte[]> producer;

  /** A transactional appender, like the single writer. */
  public static EventLog transactional(String topic) {
    return new EventLog(topic, true);
  }

  /** A plain idempotent appender: no transaction markers, so offsets are dense. */
  public static EventLog plain(String topic) {
    return new EventLog(topic, false);
  }

  private EventLog(String topic, boolean transactional) {
    this.topic = topic;
    this.transactional = transactional;
    Map<String, Object> config = new java.util.HashMap<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5));
    if (transactional) {
      config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-writer-" + UUID.randomUUID());
    }
    producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    if (transactional) {
      producer.initTransactions();
    }
  }

  public void append(List<? extends SpecificRecord> events) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (SpecificRecord event : events) {
      EventMetadata metadata = (EventMetadata) event.get(event.getSchema().getField("metadata").pos());
      records.add(new ProducerRecord<>(topic, null, metadata.getOccurredAt().toEpochMilli(), metadata.getAggregateId(),
          AvroCodec.standard().encode(event)));
    }
    send(records);
  }

  public void appendRaw(String key, byte[] value) {
    send(List.of(new ProducerRecord<>(topic, key, value)));
  }

  private void send(List<ProducerRecord<String, byte[]>> records) {
    if (transactional) {
      producer.beginTransaction();
    }
    records.forEach(producer::send);
    if (transactional) {
      producer.commitTransaction();
    } else {
      producer.flush();
    }
  }

  @Override
  public void close() {
    producer.close();
  }

  /** Every committed record of a topic, from the beginning to its current end, in partition order. */
  public static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end in 60 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  /** The decoded events of a topic, in log order per partition. */
  public static List<SpecificRecord> events(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(record -> AvroCodec.standard().decode(record.value())).toList();
  }
}
