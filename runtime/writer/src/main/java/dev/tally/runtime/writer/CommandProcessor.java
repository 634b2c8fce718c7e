package dev.tally.runtime.writer;

import dev.tally.runtime.core.Rejection;
import dev.tally.runtime.core.Decision;
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
 *
 * <p>What it cannot read, it never decides on: a record written with a schema this build does not
 * know (a newer version wrote it), or a stored state or remembered answer it cannot decode, stops
 * the writer (Kafka Streams fails the task; the runtime says why and tries again later). Only a
 * command nobody can read at all is skipped, and that is counted and shown.
 */
final class CommandProcessor<C, E, S, R extends Rejection> implements Processor<String, byte[], String, byte[]> {

  private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);
  private static final AvroCodec CODEC = AvroCodec.standard();
  static final String UNSUPPORTED = "unsupported-command";
  static final String MISROUTED = "misrouted-command";
  static final String INVALID_ID = "invalid-aggregate-id";

  private final WriterSettings settings;
  private final AggregateBinding<C, E, S, R> binding;
  private final Clock clock;
  private final SkippedCommands skipped;
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> states;
  private WindowStore<String, byte[]> keys;

  CommandProcessor(WriterSettings settings, AggregateBinding<C, E, S, R> binding, Clock clock, SkippedCommands skipped) {
    this.settings = settings;
    this.binding = binding;
    this.clock = clock;
    this.skipped = skipped;
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
    } catch (AvroCodec.UnknownSchemaException e) {
      throw tooOld("the command at " + location(), e);
    } catch (RuntimeException e) {
      // No envelope, so nobody to answer; and no version of the writer could read it.
      skipped.skipped(location(), e.getMessage());
      return;
    }
    CommandResult result = decide(record, command, metadata);
    context.forward(new Record<>(metadata.getAggregateId(), CODEC.encode(result), record.timestamp(), record.headers()),
        WriterTopology.RESULTS);
  }

  private CommandResult decide(Record<String, byte[]> record, SpecificRecord command, CommandMetadata metadata) {
    String aggregateId = metadata.getAggregateId();
    if (!aggregateId.equals(record.key())) {
      // Decided here, it would be decided by a writer that does not own the aggregate's partition.
      return refusal(metadata, 0, MISROUTED, "the command for " + aggregateId + " was sent with the key " + record.key());
    }
    if (!ConsistencyToken.fits(binding.aggregateType(), aggregateId)) {
      // Its answer could not name it in a consistency token: refused before anything is appended.
      return refusal(metadata, 0, INVALID_ID, "an aggregate id is 1 to " + ConsistencyToken.MAX_ID_BYTES
          + " bytes of UTF-8");
    }
    S state = load(aggregateId);
    Instant now = clock.instant();
    if (now.plus(settings.decisionMargin()).isAfter(metadata.getIssuedAt().plus(settings.commandTtl()))) {
      // Too late to commit and answer before the sender gives up: it must not be appended behind its back.
      return result(metadata, Outcome.EXPIRED, binding.version(state)).build();
    }
    // Writer time never runs back within a partition: Kafka Streams keeps its stream time with the
    // committed offsets, so a key is found whatever this instance's clock says (ADR 8).
    long writerTime = Math.max(now.toEpochMilli(), context.currentStreamTimeMs());
    String idempotencyKey = metadata.getIdempotencyKey() == null ? null : aggregateId + "/" + metadata.getIdempotencyKey();
    if (idempotencyKey != null) {
      RecordedResult earlier = recalled(idempotencyKey, writerTime);
      if (earlier != null) {
        return earlier.getRequestHash().equals(metadata.getRequestHash())
            ? earlier.getAnswer()
            : result(metadata, Outcome.KEY_REUSED, binding.version(state)).build();
      }
    }
    CommandResult result = execute(record, command, metadata, state);
    if (idempotencyKey != null) {
      keys.put(idempotencyKey, CODEC.encode(new RecordedResult(metadata.getRequestHash(), result)), writerTime);
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
    C domainCommand;
    try {
      domainCommand = binding.command(command);
    } catch (IllegalArgumentException e) {
      log.warn("refusing a command the {} writer does not handle at {}: {}", binding.aggregateType(), location(),
          e.getMessage());
      return refusal(metadata, version, UNSUPPORTED, "the " + binding.aggregateType() + " writer does not handle "
          + command.getSchema().getFullName());
    }
    return switch (binding.decider().decide(domainCommand, state)) {
      case Decision.Rejected<E, R> rejected -> result(metadata, Outcome.REJECTED, version)
          .setRejectionCode(rejected.rejection().code())
          .setRejectionKind(rejected.rejection().kind().name())
          .setRejectionDetail(rejected.rejection().detail())
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
      headers.add(SchemaCatalog.TYPE_PROPERTY, SchemaCatalog.wireType(avro.getSchema()).orElseThrow().getBytes(StandardCharsets.UTF_8));
      context.forward(new Record<>(metadata.getAggregateId(), CODEC.encode(avro), record.timestamp(), headers),
          WriterTopology.EVENTS);
      current = binding.decider().evolve(current, event);
    }
    states.put(metadata.getAggregateId(), CODEC.encode(binding.snapshot(current)));
    long version = binding.version(current);
    CommandResult.Builder result = result(metadata, Outcome.ACCEPTED, version);
    if (!events.isEmpty()) {
      result.setConsistencyToken(
          new ConsistencyToken(binding.aggregateType(), metadata.getAggregateId(), version, occurredAt).encode());
    }
    return result.build();
  }

  private S load(String aggregateId) {
    byte[] snapshot = states.get(aggregateId);
    if (snapshot == null) {
      return binding.decider().initialState();
    }
    try {
      return binding.state(CODEC.decode(snapshot));
    } catch (AvroCodec.UnknownSchemaException e) {
      throw tooOld("the state of " + aggregateId + " in " + settings.stateStore(), e);
    } catch (AvroCodec.UndecodableRecordException e) {
      throw new IllegalStateException("cannot decode the state of " + aggregateId + " in " + settings.stateStore()
          + ": " + e.getMessage() + "; nothing is decided until it is repaired from the event log"
          + " (rebuild-writer-state)", e);
    }
  }

  /** The newest answer remembered for the key within the idempotency window of writer time. */
  private RecordedResult recalled(String key, long writerTime) {
    try (WindowStoreIterator<byte[]> found = keys.backwardFetch(key,
        writerTime - settings.idempotencyWindow().toMillis(), Long.MAX_VALUE)) {
      return found.hasNext() ? (RecordedResult) CODEC.decode(found.next().value) : null;
    } catch (AvroCodec.UnknownSchemaException e) {
      throw tooOld("the answer remembered for " + key + " in " + settings.idempotencyStore(), e);
    } catch (AvroCodec.UndecodableRecordException e) {
      throw new IllegalStateException("cannot decode the answer remembered for " + key + " in "
          + settings.idempotencyStore() + ": " + e.getMessage(), e);
    }
  }

  /** This build cannot read what a newer one wrote: stop, rather than decide without it. */
  private static IllegalStateException tooOld(String what, AvroCodec.UnknownSchemaException e) {
    return new IllegalStateException("cannot decode " + what + ": " + e.getMessage() + ": it was written by a newer"
        + " version than this writer, which stops until an instance that knows the schema owns the partition"
        + " (deploy readers first: docs/schemas.md)", e);
  }

  private String location() {
    return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
  }

  private static CommandResult refusal(CommandMetadata metadata, long version, String code, String detail) {
    return result(metadata, Outcome.REJECTED, version).setRejectionCode(code).setRejectionDetail(detail).build();
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
