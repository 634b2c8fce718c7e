package dev.tally.chaos;

import dev.tally.cli.Kafka;
import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.event.AccountClosed;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Every committed record of the events topic, from the start of each partition to its end, as
 * the facts the invariants need: where it is, which account and version, what kind of event, the
 * amount, and the correlation id that names the request which appended it. Nothing is folded here.
 */
final class LogScan {

  private static final AvroCodec CODEC = AvroCodec.standard();

  enum EventKind { OPENED, DEPOSITED, WITHDRAWN, CLOSED, OTHER, UNDECODABLE }

  /** One record of the log. */
  record Event(int partition, long offset, String account, long version, EventKind kind, long amount,
      String correlationId) {
  }

  /** The log: its events in partition and offset order, and the offset of the last record of each partition read. */
  record Log(List<Event> events, Map<Integer, Long> lastOffsets) {
  }

  private LogScan() {
  }

  static Log read(Kafka kafka, String topic) {
    List<TopicPartition> partitions = kafka.partitions(topic);
    List<Event> events = new ArrayList<>();
    Map<Integer, Long> lastOffsets = new HashMap<>();
    try (KafkaConsumer<String, byte[]> reader = kafka.reader()) {
      Map<TopicPartition, Long> ends = reader.endOffsets(partitions);
      for (TopicPartition partition : partitions) {
        Kafka.readFromStart(reader, partition, ends.get(partition), record -> {
          events.add(event(record));
          lastOffsets.put(partition.partition(), record.offset());
        });
      }
    }
    return new Log(events, lastOffsets);
  }

  static Event event(ConsumerRecord<String, byte[]> record) {
    SpecificRecord event;
    try {
      event = CODEC.decode(record.value());
    } catch (RuntimeException e) {
      return new Event(record.partition(), record.offset(), record.key(), 0, EventKind.UNDECODABLE, 0, null);
    }
    if (!(event.get(0) instanceof EventMetadata metadata)) {
      return new Event(record.partition(), record.offset(), record.key(), 0, EventKind.OTHER, 0, null);
    }
    String account = metadata.getAggregateId();
    long version = metadata.getAggregateVersion();
    String correlation = metadata.getCorrelationId();
    return switch (event) {
      case AccountOpened opened -> new Event(record.partition(), record.offset(), account, version, EventKind.OPENED, 0,
          correlation);
      case MoneyDeposited deposited -> new Event(record.partition(), record.offset(), account, version,
          EventKind.DEPOSITED, deposited.getAmount(), correlation);
      case MoneyWithdrawn withdrawn -> new Event(record.partition(), record.offset(), account, version,
          EventKind.WITHDRAWN, withdrawn.getAmount(), correlation);
      case AccountClosed closed -> new Event(record.partition(), record.offset(), account, version, EventKind.CLOSED, 0,
          correlation);
      default -> new Event(record.partition(), record.offset(), account, version, EventKind.OTHER, 0, correlation);
    };
  }
}
