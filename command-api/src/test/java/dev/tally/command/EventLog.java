package dev.tally.command;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.testing.TestInfrastructure;
import dev.tally.testing.TopicLog;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** Reads a topic as a read_committed consumer sees it: everything committed, up to the last stable offset. */
final class EventLog {

  private EventLog() {
  }

  static List<SpecificRecord> committed(String topic) {
    return committed(topic, TestInfrastructure.kafkaBootstrapServers());
  }

  static List<SpecificRecord> committed(String topic, String bootstrapServers) {
    return committedRecords(topic, bootstrapServers).stream().map(r -> AvroCodec.standard().decode(r.value())).toList();
  }

  static List<SpecificRecord> of(String topic, String aggregateId) {
    return committed(topic).stream()
        .filter(event -> metadata(event).getAggregateId().equals(aggregateId))
        .toList();
  }

  static List<ConsumerRecord<String, byte[]>> committedRecords(String topic) {
    return committedRecords(topic, TestInfrastructure.kafkaBootstrapServers());
  }

  static List<ConsumerRecord<String, byte[]>> committedRecords(String topic, String bootstrapServers) {
    return TopicLog.readCommitted(bootstrapServers, topic);
  }

  /** The sum of the topic's end offsets: it moves whenever anything at all is written, even an aborted record. */
  static long endOffset(String topic) {
    try {
      Admin admin = SharedAdmin.ADMIN;
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get().values().stream().mapToLong(info -> info.offset()).sum();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the end offsets of " + topic, e);
    }
  }

  /** One client for the shared broker, made on first use and kept for the test JVM. */
  private static final class SharedAdmin {
    static final Admin ADMIN = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestInfrastructure.kafkaBootstrapServers()));
  }

  static EventMetadata metadata(SpecificRecord event) {
    return (EventMetadata) event.get(event.getSchema().getField("metadata").pos());
  }
}
