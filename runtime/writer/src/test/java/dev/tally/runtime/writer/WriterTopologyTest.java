package dev.tally.runtime.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.runtime.writer.toy.Counter;
import dev.tally.runtime.writer.toy.CounterBinding;
import dev.tally.runtime.writer.toy.CounterSnapshot;
import dev.tally.runtime.writer.toy.Increment;
import dev.tally.runtime.writer.toy.Incremented;
import dev.tally.runtime.writer.toy.Reset;
import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.ConsistencyToken;
import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.CommandResult;
import dev.tally.schemas.command.Outcome;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.testing.NewerSchema;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The single writer of any aggregate, driven record by record with a controllable clock, on the
 * toy counter of this module's tests: what it does around the decider, whatever the aggregate.
 */
class WriterTopologyTest {

  private static final AvroCodec CODEC = AvroCodec.standard();
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final WriterSettings SETTINGS = new WriterSettings(CounterBinding.AGGREGATE_TYPE, "commands", "events",
      "results", Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofHours(24));

  private final MutableClock clock = new MutableClock(T0);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final SkippedCommands skipped = new SkippedCommands(meters, CounterBinding.AGGREGATE_TYPE);
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> commands;
  private TestOutputTopic<String, byte[]> events;
  private TestOutputTopic<String, byte[]> results;
  private final String counter = UUID.randomUUID().toString();

  @BeforeEach
  void start() {
    start(new CounterBinding());
  }

  private void start(CounterBinding binding) {
    driver = new TopologyTestDriver(WriterTopology.build(SETTINGS, binding, clock, skipped), config(), T0);
    commands = driver.createInputTopic("commands", new StringSerializer(), new ByteArraySerializer(), T0, Duration.ZERO);
    events = driver.createOutputTopic("events", new StringDeserializer(), new ByteArrayDeserializer());
    results = driver.createOutputTopic("results", new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static Properties config() {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "writer-test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    return config;
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void anAcceptedCommandAppendsEnvelopedEventsAndAnswersWithAToken() {
    CommandMetadata command = metadata(null, null);
    send(new Increment(command, 5L));
    TestRecord<String, byte[]> appended = events.readRecord();
    assertThat(appended.key()).isEqualTo(counter);
    assertThat(new String(appended.headers().lastHeader(SchemaCatalog.TYPE_PROPERTY).value(), StandardCharsets.UTF_8))
        .isEqualTo("counter.incremented");
    Incremented incremented = (Incremented) CODEC.decode(appended.value());
    assertThat(incremented.getValueAfter()).isEqualTo(5);
    EventMetadata envelope = incremented.getMetadata();
    assertThat(envelope.getAggregateId()).isEqualTo(counter);
    assertThat(envelope.getAggregateType()).isEqualTo("counter");
    assertThat(envelope.getAggregateVersion()).isEqualTo(1);
    assertThat(envelope.getOccurredAt()).isEqualTo(command.getIssuedAt());
    assertThat(envelope.getCommandId()).isEqualTo(command.getCommandId());
    assertThat(envelope.getCausationId()).isEqualTo(command.getCommandId());
    assertThat(envelope.getCorrelationId()).isEqualTo("corr");

    CommandResult result = result();
    assertThat(result.getOutcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(result.getVersion()).isEqualTo(1);
    assertThat(ConsistencyToken.decode(result.getConsistencyToken()))
        .isEqualTo(new ConsistencyToken(CounterBinding.AGGREGATE_TYPE, counter, 1, envelope.getOccurredAt()));
  }

  @Test
  void anAcceptedCommandWithoutEventsAnswersWithoutAToken() {
    send(new Reset(metadata(null, null)));
    CommandResult result = result();
    assertThat(result.getOutcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(result.getVersion()).isZero();
    assertThat(result.getConsistencyToken()).isNull();
    assertThat(events.isEmpty()).isTrue();
  }

  @Test
  void theResultCarriesTheCommandsHeadersBackSoTheSenderCanMatchIt() {
    commands.pipeInput(new TestRecord<>(counter, CODEC.encode(increment(1)),
        new RecordHeaders().add("kafka_correlationId", new byte[] {7}), T0));
    assertThat(results.readRecord().headers().lastHeader("kafka_correlationId").value()).containsExactly(7);
  }

  @Test
  void aRefusalByTheRulesCarriesItsCodeDetailAndKind() {
    send(increment(1));
    send(increment(0));
    List<CommandResult> answers = results();
    CommandResult refused = answers.get(1);
    assertThat(refused.getOutcome()).isEqualTo(Outcome.REJECTED);
    assertThat(refused.getRejectionCode()).isEqualTo("not-positive");
    assertThat(refused.getRejectionKind()).isEqualTo("INVALID");
    assertThat(refused.getRejectionDetail()).isEqualTo(new Counter.NotPositive(0).detail());
    assertThat(refused.getVersion()).isEqualTo(1);
    assertThat(refused.getConsistencyToken()).isNull();
    assertThat(events.readRecordsToList()).hasSize(1);
  }

  @Test
  void aCommandThatArrivesAfterItsDeadlineIsNotExecuted() {
    send(increment(1));
    CommandMetadata late = metadata(null, null);
    clock.advance(Duration.ofSeconds(6));
    send(new Increment(late, 100L));
    List<CommandResult> answers = results();
    assertThat(answers.get(1).getOutcome()).isEqualTo(Outcome.EXPIRED);
    assertThat(answers.get(1).getVersion()).isEqualTo(1);
    assertThat(events.readRecordsToList()).hasSize(1);
  }

  @Test
  void anExpectedVersionThatDiffersIsAConflict() {
    send(increment(1));
    send(new Increment(metadata(0L, null), 100L));
    send(new Increment(metadata(1L, null), 100L));
    List<CommandResult> answers = results();
    assertThat(answers).extracting(CommandResult::getOutcome)
        .containsExactly(Outcome.ACCEPTED, Outcome.CONFLICT, Outcome.ACCEPTED);
    assertThat(answers.get(1).getVersion()).isEqualTo(1);
    assertThat(answers.get(1).getRejectionCode()).isEqualTo("version-mismatch");
    assertThat(events.readRecordsToList()).hasSize(2);
  }

  @Test
  void aRepeatedKeyIsAnsweredFromMemoryAndAReusedKeyIsRefused() {
    send(increment(1));
    send(new Increment(metadata(null, "k1", "hash-a"), 100L));
    send(new Increment(metadata(null, "k1", "hash-a"), 100L));
    send(new Increment(metadata(null, "k1", "hash-b"), 100L));
    List<CommandResult> answers = results();
    assertThat(answers.get(2)).isEqualTo(answers.get(1));
    assertThat(answers.get(3).getOutcome()).isEqualTo(Outcome.KEY_REUSED);
    assertThat(events.readRecordsToList()).hasSize(2);
  }

  @Test
  void aKeyIsForgottenAfterItsWindow() {
    send(increment(1));
    send(new Increment(metadata(null, "k2", "hash-a"), 100L));
    clock.advance(Duration.ofHours(25));
    commands.advanceTime(Duration.ofHours(25));
    send(new Increment(metadata(null, "k2", "hash-a"), 100L));
    List<SpecificRecord> appended = events.readValuesToList().stream().map(CODEC::decode).toList();
    assertThat(appended).hasSize(3);
    assertThat(((Incremented) appended.getLast()).getValueAfter()).isEqualTo(201);
  }

  @Test
  void aCommandWithLessThanTheDecisionMarginLeftIsNotExecuted() {
    send(increment(1));
    CommandMetadata tooLate = metadata(null, null);
    // 4.5 s of the 5 s deadline gone: fewer than the decision margin (1 s) left to commit and answer.
    clock.advance(Duration.ofMillis(4_500));
    send(new Increment(tooLate, 100L));
    CommandMetadata inTime = metadata(null, null);
    clock.advance(Duration.ofSeconds(4));
    send(new Increment(inTime, 100L));
    assertThat(results()).extracting(CommandResult::getOutcome)
        .containsExactly(Outcome.ACCEPTED, Outcome.EXPIRED, Outcome.ACCEPTED);
    assertThat(events.readValuesToList()).hasSize(2);
  }

  @Test
  void aKeyIsFoundByAnOwnerWhoseClockIsBehindTheOneThatStoredIt() {
    send(increment(1));
    send(new Increment(metadata(null, "skewed", "hash-a"), 100L));
    // The partition moves to an instance whose clock is a minute behind (more than the command TTL).
    clock.advance(Duration.ofMinutes(-1));
    send(new Increment(metadata(null, "skewed", "hash-a"), 100L));
    List<CommandResult> answers = results();
    assertThat(answers.get(2)).isEqualTo(answers.get(1));
    assertThat(events.readRecordsToList()).hasSize(2);
  }

  @Test
  void aKeyStoredWhileTheClockIsSteppedBackIsStillRemembered() {
    send(new Increment(metadata(null, "first"), 1L));
    // The clock is stepped back by two days, more than the whole idempotency window.
    clock.advance(Duration.ofDays(-2));
    send(new Increment(metadata(null, "stepped-back", "hash-a"), 100L));
    send(new Increment(metadata(null, "stepped-back", "hash-a"), 100L));
    clock.advance(Duration.ofDays(2));
    send(new Increment(metadata(null, "stepped-back", "hash-a"), 100L));
    List<CommandResult> answers = results();
    assertThat(answers.get(2)).isEqualTo(answers.get(1));
    assertThat(answers.get(3)).isEqualTo(answers.get(1));
    assertThat(events.readRecordsToList()).hasSize(2);
  }

  @Test
  void theStateStoreHoldsTheFoldedSnapshot() {
    send(increment(3));
    send(new Reset(metadata(null, null)));
    send(increment(250));
    byte[] stored = driver.<String, byte[]>getKeyValueStore(SETTINGS.stateStore()).get(counter);
    assertThat(CODEC.decode(stored)).isEqualTo(new CounterSnapshot(250L, 3L));
  }

  @Test
  void aCommandNobodyCanReadIsSkippedCountedAndShownAndTheNextOneIsDecided() {
    commands.pipeInput(counter, "not avro".getBytes(StandardCharsets.UTF_8));
    // Decodable, but no command: an event has no command envelope to answer to.
    commands.pipeInput(counter, CODEC.encode(new Incremented(eventMetadata(), 1L, 1L)));
    send(increment(1));
    assertThat(result().getOutcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(results.isEmpty()).isTrue();
    assertThat(meters.counter("tally.writer.skipped.commands", "aggregate", "counter").count()).isEqualTo(2);
    assertThat(skipped.details()).containsEntry("skippedCommands", 2L);
    assertThat(skipped.details().get("lastSkippedCommand").toString()).contains("commands-0@1", "Incremented");
  }

  @Test
  void aCommandSentUnderAnotherAggregatesKeyIsRefusedNotDecidedInTheWrongPartition() {
    commands.pipeInput(UUID.randomUUID().toString(), CODEC.encode(increment(1)));
    CommandResult refused = result();
    assertThat(refused.getOutcome()).isEqualTo(Outcome.REJECTED);
    assertThat(refused.getRejectionCode()).isEqualTo(CommandProcessor.MISROUTED);
    assertThat(events.isEmpty()).isTrue();
  }

  @Test
  void aCommandTheBindingDoesNotHandleIsRefusedInsteadOfStoppingTheWriter() {
    driver.close();
    start(new CounterBinding() {
      @Override
      public Counter.Command command(SpecificRecord record) {
        if (record instanceof Reset) {
          throw new IllegalArgumentException("not handled here");
        }
        return super.command(record);
      }
    });
    send(increment(1));
    send(new Reset(metadata(null, null)));
    send(increment(1));
    List<CommandResult> answers = results();
    assertThat(answers).extracting(CommandResult::getOutcome)
        .containsExactly(Outcome.ACCEPTED, Outcome.REJECTED, Outcome.ACCEPTED);
    assertThat(answers.get(1).getRejectionCode()).isEqualTo(CommandProcessor.UNSUPPORTED);
    assertThat(answers.get(1).getRejectionDetail()).contains(Reset.class.getName());
    assertThat(events.readRecordsToList()).hasSize(2);
  }

  @Test
  void aCommandWrittenWithASchemaThisWriterDoesNotKnowStopsItInsteadOfBeingSkipped() {
    send(increment(1));
    byte[] newer = NewerSchema.encode(increment(100));
    assertThatThrownBy(() -> commands.pipeInput(counter, newer))
        .hasStackTraceContaining("unknown schema fingerprint")
        .hasStackTraceContaining("newer version");
    assertThat(events.readRecordsToList()).hasSize(1);
    assertThat(results.readRecordsToList()).hasSize(1);
    assertThat(skipped.details()).isEmpty();
  }

  @Test
  void aStateWrittenWithASchemaThisWriterDoesNotKnowStopsIt() {
    send(increment(1));
    driver.<String, byte[]>getKeyValueStore(SETTINGS.stateStore()).put(counter,
        NewerSchema.encode(new CounterSnapshot(1L, 1L)));
    assertThatThrownBy(() -> send(increment(100)))
        .hasStackTraceContaining("cannot decode the state of " + counter)
        .hasStackTraceContaining("newer version");
    assertThat(events.readRecordsToList()).hasSize(1);
    assertThat(results.readRecordsToList()).hasSize(1);
  }

  @Test
  void theTokenNamesTheAggregateTypeAndTheIdAsItIsWhateverTheIdLooksLike() {
    String id = "counter/2026-Ü-42";
    commands.pipeInput(id, CODEC.encode(new Increment(metadataOf(id), 1L)));

    CommandResult result = result();
    assertThat(result.getOutcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(ConsistencyToken.decode(result.getConsistencyToken()))
        .isEqualTo(new ConsistencyToken(CounterBinding.AGGREGATE_TYPE, id, 1, T0));
    assertThat(events.readRecord().key()).isEqualTo(id);
  }

  @Test
  void anIdNoTokenCouldNameIsRefusedBeforeAnythingIsAppended() {
    String id = "i".repeat(ConsistencyToken.MAX_ID_BYTES + 1);
    commands.pipeInput(id, CODEC.encode(new Increment(metadataOf(id), 1L)));

    CommandResult refused = result();
    assertThat(refused.getOutcome()).isEqualTo(Outcome.REJECTED);
    assertThat(refused.getRejectionCode()).isEqualTo("invalid-aggregate-id");
    assertThat(events.isEmpty()).isTrue();
  }

  private void send(SpecificRecord command) {
    commands.pipeInput(counter, CODEC.encode(command));
  }

  private CommandResult result() {
    return (CommandResult) CODEC.decode(results.readValue());
  }

  private List<CommandResult> results() {
    return results.readValuesToList().stream().map(value -> (CommandResult) CODEC.decode(value)).toList();
  }

  private Increment increment(long by) {
    return new Increment(metadata(null, null), by);
  }

  private CommandMetadata metadata(Long expected, String key) {
    return metadata(expected, key, "hash");
  }

  private CommandMetadata metadata(Long expected, String key, String hash) {
    return new CommandMetadata(UUID.randomUUID().toString(), counter, expected, key, hash, "corr", clock.instant());
  }

  private CommandMetadata metadataOf(String aggregateId) {
    return new CommandMetadata(UUID.randomUUID().toString(), aggregateId, null, null, "hash", "corr", clock.instant());
  }

  private EventMetadata eventMetadata() {
    String id = UUID.randomUUID().toString();
    return new EventMetadata(id, counter, CounterBinding.AGGREGATE_TYPE, 1L, T0, id, "corr", id);
  }

  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
