package dev.tally.cli;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.SchemaCatalog;
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
 * {@code tally history ID}: one aggregate's events straight from the log. Looks in the events topic
 * of every registered aggregate type (or of the one {@code --type} names), reading only the
 * aggregate's partition of each (found as Kafka's default partitioner finds it), from its start to
 * its last stable offset, read_committed.
 */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = {
        "One aggregate's events, straight from the log.",
        "",
        "Prints the aggregate's events in log order: version, type, occurred-at, payload. Looks in the events "
            + "topic of every registered aggregate type (or of --type), reading only the aggregate's partition, "
            + "read_committed, from its start to its end."})
final class HistoryCommand implements Callable<Integer> {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  @Mixin
  private KafkaOptions kafkaOptions;

  @Parameters(index = "0", paramLabel = "ID", description = "The aggregate id (a UUID).")
  private String aggregateId;

  @Option(names = "--type", paramLabel = "TYPE",
      description = "The aggregate type (default: look in the events topic of every registered one).")
  private String type;

  @Option(names = "--topic", paramLabel = "TOPIC",
      description = "The events topic (default: tally.<type>-events); needs --type when several types are registered.")
  private String topic;

  private final Registry registry;

  HistoryCommand(Registry registry) {
    this.registry = registry;
  }

  @Option(names = "--json", description = "JSON instead of a table.")
  private boolean json;

  @Spec
  private CommandSpec spec;

  record Event(long offset, Long version, String type, String occurredAt, String eventId,
      Map<String, Object> payload, String problem) {
  }

  /** An aggregate's events found in one topic. */
  private record Found(String type, TopicPartition partition, List<Event> events) {
  }

  @Override
  public Integer call() {
    String key = aggregateKey();
    List<String> types = types();
    try (Kafka kafka = kafkaOptions.connect()) {
      List<Found> found = new ArrayList<>();
      List<String> searched = new ArrayList<>();
      for (String aggregateType : types) {
        String events = topic != null ? topic : EventTopics.standard().of(aggregateType);
        TopicPartition partition = new TopicPartition(events, partitionOf(key, kafka.partitions(events).size()));
        searched.add(events + " (partition " + partition.partition() + ")");
        List<Event> read = read(kafka, partition, key);
        if (!read.isEmpty()) {
          found.add(new Found(aggregateType, partition, read));
        }
      }
      if (found.isEmpty()) {
        throw new CliException("no events for " + (types.size() == 1 ? types.getFirst() + " " : "") + key + " in "
            + String.join(", ", searched));
      }
      if (found.size() > 1) {
        throw new CliException(key + " has events in " + found.stream().map(f -> f.partition().topic()).toList()
            + ": choose one with --type");
      }
      Found history = found.getFirst();
      TopicPartition partition = history.partition();
      List<Event> events = history.events();
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("aggregateType", history.type());
        document.put("aggregateId", key);
        document.put("topic", partition.topic());
        document.put("partition", partition.partition());
        document.put("events", events.stream().map(HistoryCommand::toJson).toList());
        out.println(Formats.json(document));
      } else {
        out.println(Character.toUpperCase(history.type().charAt(0)) + history.type().substring(1) + " " + key + ": "
            + events.size() + " event(s) in " + partition.topic() + " partition " + partition.partition());
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

  /** The aggregate id as the producers key it: the canonical lower-case UUID string. */
  private String aggregateKey() {
    try {
      UUID id = UUID.fromString(aggregateId.strip());
      if (id.toString().equalsIgnoreCase(aggregateId.strip())) {
        return id.toString();
      }
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    throw new CommandLine.ParameterException(spec.commandLine(),
        "not an aggregate id: '" + aggregateId + "' (expected a UUID such as 0b6f8c1e-2f2a-4c55-9d0e-3f4b5a6c7d8e)");
  }

  /** The aggregate types to look in: {@code --type}, else every registered one; {@code --topic} is one type's. */
  private List<String> types() {
    List<String> registered = registry.aggregateTypes();
    if (type != null && !registered.contains(type)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--type " + type + " is not one of the registered aggregate types " + registered);
    }
    List<String> types = type != null ? List.of(type) : registered;
    if (topic != null && types.size() != 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--topic " + topic + " is the events topic of one aggregate type: name it with --type, one of " + registered);
    }
    return types;
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
