package dev.tally.cli;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.AggregateTopics;
import dev.tally.schemas.Aggregates;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally history ACCOUNT_ID}: one account's events straight from the log. Reads only the
 * account's partition (found as Kafka's default partitioner finds it), from its start to its last
 * stable offset, read_committed.
 */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = {
        "One account's events, straight from the log.",
        "",
        "Prints the account's events in log order: version, type, occurred-at, payload. Reads only "
            + "the account's partition, read_committed, from its start to its end."})
final class HistoryCommand implements Callable<Integer> {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  @Mixin
  private KafkaOptions kafkaOptions;

  @Parameters(index = "0", paramLabel = "ACCOUNT_ID", description = "The account id (a UUID).")
  private String accountId;

  @Option(names = "--topic", paramLabel = "TOPIC", description = "The events topic (default: ${DEFAULT-VALUE}).")
  private String topic = AggregateTopics.of(Aggregates.ACCOUNT).events();

  @Option(names = "--json", description = "JSON instead of a table.")
  private boolean json;

  @Spec
  private CommandSpec spec;

  record Event(long offset, Long version, String type, String occurredAt, String eventId,
      Map<String, Object> payload, String problem) {
  }

  @Override
  public Integer call() {
    String key = accountKey();
    try (Kafka kafka = kafkaOptions.connect()) {
      int partitions = kafka.partitions(topic).size();
      TopicPartition partition = new TopicPartition(topic, partitionOf(key, partitions));
      List<Event> events = read(kafka, partition, key);
      if (events.isEmpty()) {
        throw new CliException("no events for account " + key + " in " + topic + " (partition "
            + partition.partition() + ")");
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("account", key);
        document.put("topic", topic);
        document.put("partition", partition.partition());
        document.put("events", events.stream().map(HistoryCommand::toJson).toList());
        out.println(Formats.json(document));
      } else {
        out.println("Account " + key + ": " + events.size() + " event(s) in " + topic + " partition " + partition.partition());
        Table table = new Table("VERSION", "TYPE", "OCCURRED-AT", "OFFSET", "PAYLOAD");
        for (Event event : events) {
          String payload = event.problem() != null ? event.problem()
              : event.payload().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                  .collect(Collectors.joining(" "));
          table.row(event.version(), event.type(), event.occurredAt(), event.offset(), payload);
        }
        table.print(out, "");
      }
      out.flush();
      return TallyCli.OK;
    }
  }

  /** The account id as the producers key it: the canonical lower-case UUID string. */
  private String accountKey() {
    try {
      UUID id = UUID.fromString(accountId.strip());
      if (id.toString().equalsIgnoreCase(accountId.strip())) {
        return id.toString();
      }
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    throw new CommandLine.ParameterException(spec.commandLine(),
        "not an account id: '" + accountId + "' (expected a UUID such as 0b6f8c1e-2f2a-4c55-9d0e-3f4b5a6c7d8e)");
  }

  /** Kafka's default partitioner for a keyed record: murmur2 of the key bytes, positive, modulo the partition count. */
  static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  private static List<Event> read(Kafka kafka, TopicPartition partition, String key) {
    long end = kafka.offsets(List.of(partition), OffsetSpec.latest(), "end offset of " + partition).get(partition);
    List<Event> events = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = kafka.reader()) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (consumer.position(partition) < end) {
        if (System.nanoTime() > deadline) {
          throw new CliException("could not read " + partition + " to its end (" + end + ") within "
              + READ_TIMEOUT.toSeconds() + " s");
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() < end && key.equals(record.key())) {
            events.add(decode(record));
          }
        }
      }
    }
    return events;
  }

  private static Event decode(ConsumerRecord<String, byte[]> record) {
    SpecificRecord event;
    try {
      event = AvroCodec.standard().decode(record.value());
    } catch (AvroCodec.UndecodableRecordException e) {
      var header = record.headers().lastHeader(SchemaCatalog.TYPE_PROPERTY);
      String type = header == null ? "?" : new String(header.value(), StandardCharsets.UTF_8);
      return new Event(record.offset(), null, type, null, null, Map.of(), "undecodable: " + e.getMessage());
    }
    Schema schema = event.getSchema();
    String type = SchemaCatalog.wireType(schema).orElse(schema.getFullName());
    Map<String, Object> payload = new LinkedHashMap<>();
    Long version = null;
    String occurredAt = null;
    String eventId = null;
    for (Schema.Field field : schema.getFields()) {
      Object value = event.get(field.pos());
      if (field.name().equals("metadata") && value instanceof GenericRecord metadata) {
        version = (Long) metadata.get("aggregateVersion");
        occurredAt = String.valueOf(metadata.get("occurredAt"));
        eventId = String.valueOf(metadata.get("eventId"));
      } else {
        payload.put(field.name(), plain(value));
      }
    }
    return new Event(record.offset(), version, type, occurredAt, eventId, payload, null);
  }

  /** Avro values as JSON-friendly Java values. */
  private static Object plain(Object value) {
    if (value == null || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value instanceof GenericRecord record) {
      Map<String, Object> fields = new LinkedHashMap<>();
      record.getSchema().getFields().forEach(f -> fields.put(f.name(), plain(record.get(f.pos()))));
      return fields;
    }
    if (value instanceof ByteBuffer bytes) {
      return Base64.getEncoder().encodeToString(Utils.toArray(bytes.duplicate()));
    }
    if (value instanceof List<?> list) {
      return list.stream().map(HistoryCommand::plain).toList();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> plain = new LinkedHashMap<>();
      map.forEach((k, v) -> plain.put(String.valueOf(k), plain(v)));
      return plain;
    }
    return value.toString();
  }

  private static Map<String, Object> toJson(Event event) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("offset", event.offset());
    json.put("version", event.version());
    json.put("type", event.type());
    json.put("occurredAt", event.occurredAt());
    json.put("eventId", event.eventId());
    json.put("payload", event.payload());
    if (event.problem() != null) {
      json.put("problem", event.problem());
    }
    return json;
  }
}
