package dev.tally.platform.writer;

import dev.tally.domain.eventsourcing.Decision;
import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.ConsistencyToken;
import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.CommandResult;
import dev.tally.schemas.command.Outcome;
import dev.tally.schemas.command.RecordedResult;
import dev.tally.schemas.event.EventMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides one command at a time against the latest state of its aggregate. Kafka Streams gives
 * each partition (so each aggregate) to exactly one processor instance, which makes this the
 * single writer: two commands for one aggregate can never be decided concurrently.
 */
final class CommandProcessor<C, E, S, R> implements Processor<String, byte[], String, byte[]> {

  private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);
  private static final AvroCodec CODEC = AvroCodec.standard();

  private final WriterSettings settings;
  private final AggregateBinding<C, E, S, R> binding;
  private final Clock clock;
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> states;
  private WindowStore<String, byte[]> keys;

  CommandProcessor(WriterSettings settings, AggregateBinding<C, E, S, R> binding, Clock clock) {
    this.settings = settings;
    this.binding = binding;
    this.clock = clock;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.states = context.getStateStore(settings.stateStore());
    this.keys = context.getStateStore(settings.idempotencyStore());
  }

  @Override
  public void process(Record<String, byte[]> record) {
    SpecificRecord command;
    CommandMetadata metadata;
    try {
      command = CODEC.decode(record.value());
      metadata = Envelopes.command(command);
    } catch (RuntimeException e) {
      // Nobody can be waiting for an answer we cannot address; skipping keeps the partition moving.
      log.error("skipping an undecodable command at {}-{}@{}: {}", context.recordMetadata().map(m -> m.topic()).orElse("?"),
          context.recordMetadata().map(m -> m.partition()).orElse(-1),
          context.recordMetadata().map(m -> m.offset()).orElse(-1L), e.getMessage());
      return;
    }
    CommandResult result = decide(record, command, metadata);
    context.forward(new Record<>(metadata.getAggregateId(), CODEC.encode(result), record.timestamp(), record.headers()),
        WriterTopology.RESULTS);
  }

  private CommandResult decide(Record<String, byte[]> record, SpecificRecord command, CommandMetadata metadata) {
    String aggregateId = metadata.getAggregateId();
    S state = load(aggregateId);
    Instant now = clock.instant();
    if (metadata.getIssuedAt().plus(settings.commandTtl()).isBefore(now)) {
      return result(metadata, Outcome.EXPIRED, binding.version(state)).build();
    }
    String idempotencyKey = metadata.getIdempotencyKey() == null ? null : aggregateId + "/" + metadata.getIdempotencyKey();
    if (idempotencyKey != null) {
      RecordedResult earlier = recalled(idempotencyKey, now);
      if (earlier != null) {
        return earlier.getRequestHash().equals(metadata.getRequestHash())
            ? earlier.getAnswer()
            : result(metadata, Outcome.KEY_REUSED, binding.version(state)).build();
      }
    }
    CommandResult result = execute(record, command, metadata, state);
    if (idempotencyKey != null) {
      keys.put(idempotencyKey, CODEC.encode(new RecordedResult(metadata.getRequestHash(), result)), now.toEpochMilli());
    }
    return result;
  }

  private CommandResult execute(Record<String, byte[]> record, SpecificRecord command, CommandMetadata metadata, S state) {
    long version = binding.version(state);
    Long expected = metadata.getExpectedVersion();
    if (expected != null && expected != version) {
      return result(metadata, Outcome.CONFLICT, version)
          .setRejectionCode("version-mismatch")
          .setRejectionDetail("expected version " + expected + " but the aggregate is at version " + version)
          .build();
    }
    return switch (binding.decider().decide(binding.command(command), state)) {
      case Decision.Rejected<E, R> rejected -> result(metadata, Outcome.REJECTED, version)
          .setRejectionCode(binding.rejectionCode(rejected.rejection()))
          .setRejectionDetail(binding.rejectionDetail(rejected.rejection()))
          .build();
      case Decision.Accepted<E, R> accepted -> append(record, metadata, state, accepted.events());
    };
  }

  private CommandResult append(Record<String, byte[]> record, CommandMetadata metadata, S state, List<E> events) {
    S current = state;
    Instant occurredAt = metadata.getIssuedAt();
    for (int i = 0; i < events.size(); i++) {
      E event = events.get(i);
      long version = binding.version(current) + 1;
      EventMetadata envelope = EventMetadata.newBuilder()
          .setEventId(UUID.nameUUIDFromBytes((metadata.getCommandId() + "/" + i).getBytes(StandardCharsets.UTF_8)).toString())
          .setAggregateId(metadata.getAggregateId())
          .setAggregateType(binding.aggregateType())
          .setAggregateVersion(version)
          .setOccurredAt(occurredAt)
          .setCommandId(metadata.getCommandId())
          .setCorrelationId(metadata.getCorrelationId())
          .setCausationId(metadata.getCommandId())
          .build();
      SpecificRecord avro = binding.event(event, envelope);
      RecordHeaders headers = new RecordHeaders();
      headers.add(WriterTopology.TYPE_HEADER, SchemaCatalog.wireType(avro.getSchema()).orElseThrow().getBytes(StandardCharsets.UTF_8));
      context.forward(new Record<>(metadata.getAggregateId(), CODEC.encode(avro), record.timestamp(), headers),
          WriterTopology.EVENTS);
      current = binding.decider().evolve(current, event);
    }
    states.put(metadata.getAggregateId(), CODEC.encode(binding.snapshot(current)));
    long version = binding.version(current);
    CommandResult.Builder result = result(metadata, Outcome.ACCEPTED, version);
    if (!events.isEmpty()) {
      result.setConsistencyToken(
          new ConsistencyToken(UUID.fromString(metadata.getAggregateId()), version, occurredAt).encode());
    }
    return result.build();
  }

  private S load(String aggregateId) {
    byte[] snapshot = states.get(aggregateId);
    return snapshot == null ? binding.decider().initialState() : binding.state(CODEC.decode(snapshot));
  }

  private RecordedResult recalled(String key, Instant now) {
    try (WindowStoreIterator<byte[]> found = keys.backwardFetch(key,
        now.minus(settings.idempotencyWindow()), now.plus(settings.commandTtl()))) {
      return found.hasNext() ? (RecordedResult) CODEC.decode(found.next().value) : null;
    }
  }

  private static CommandResult.Builder result(CommandMetadata metadata, Outcome outcome, long version) {
    return CommandResult.newBuilder()
        .setCommandId(metadata.getCommandId())
        .setAggregateId(metadata.getAggregateId())
        .setOutcome(outcome)
        .setVersion(version)
        .setRejectionCode(null)
        .setRejectionDetail(null)
        .setConsistencyToken(null);
  }
}
