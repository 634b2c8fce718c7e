package dev.tally.projector;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.testing.TestInfrastructure;
import dev.tally.testing.TopicLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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

  /** Every committed record of a topic, from the beginning to its current end. */
  public static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    return TopicLog.readCommitted(topic);
  }

  /** The decoded events of a topic, in log order per partition. */
  public static List<SpecificRecord> events(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(record -> AvroCodec.standard().decode(record.value())).toList();
  }
}
