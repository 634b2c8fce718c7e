package dev.tally.command.account;

import dev.tally.account.wire.AccountBinding;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.runtime.writer.SkippedCommands;
import dev.tally.runtime.writer.WriterSettings;
import dev.tally.runtime.writer.WriterTopology;
import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.ConsistencyToken;
import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.command.CloseAccount;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.CommandResult;
import dev.tally.schemas.command.DepositMoney;
import dev.tally.schemas.command.OpenAccount;
import dev.tally.schemas.command.Outcome;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.state.AccountSnapshot;
import dev.tally.schemas.state.AccountStatus;
import dev.tally.testing.AccountEvents;
import dev.tally.testing.NewerSchema;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
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

/** The single writer of accounts, driven record by record with a controllable clock. */
class AccountWriterTopologyTest {

  private static final AvroCodec CODEC = AvroCodec.standard();
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final WriterSettings SETTINGS = new WriterSettings("account", "commands", "events", "results",
      Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofHours(24));

  private final MutableClock clock = new MutableClock(T0);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final SkippedCommands skipped = new SkippedCommands(meters, "account");
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> commands;
  private TestOutputTopic<String, byte[]> events;
  private TestOutputTopic<String, byte[]> results;
  private final String account = UUID.randomUUID().toString();

  @BeforeEach
  void start() {
    driver = new TopologyTestDriver(WriterTopology.build(SETTINGS, new AccountBinding(), clock, skipped), config(), T0);
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
    send(open(null, null));
    TestRecord<String, byte[]> appended = events.readRecord();
    assertThat(appended.key()).isEqualTo(account);
    assertThat(new String(appended.headers().lastHeader(SchemaCatalog.TYPE_PROPERTY).value(), StandardCharsets.UTF_8))
        .isEqualTo("account.opened");
    AccountOpened opened = (AccountOpened) CODEC.decode(appended.value());
    assertThat(opened.getMetadata().getAggregateVersion()).isEqualTo(1);
    assertThat(opened.getMetadata().getAggregateType()).isEqualTo("account");
    assertThat(opened.getMetadata().getCausationId()).isEqualTo(opened.getMetadata().getCommandId());

    CommandResult result = result();
    assertThat(result.getOutcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(ConsistencyToken.decode(result.getConsistencyToken()))
        .isEqualTo(new ConsistencyToken("account", account, 1, opened.getMetadata().getOccurredAt()));
  }

  @Test
  void theTokenNamesTheAggregateTypeAndTheIdAsItIsWhateverTheIdLooksLike() {
    String id = "acct/2026-Ü-42";
    commands.pipeInput(id, CODEC.encode(new OpenAccount(metadataOf(id), "alice", "EUR")));

    CommandResult result = result();
    assertThat(result.getOutcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(ConsistencyToken.decode(result.getConsistencyToken()))
        .isEqualTo(new ConsistencyToken("account", id, 1, T0));
    assertThat(events.readRecord().key()).isEqualTo(id);
  }

  @Test
  void anIdNoTokenCouldNameIsRefusedBeforeAnythingIsAppended() {
    String id = "i".repeat(ConsistencyToken.MAX_ID_BYTES + 1);
    commands.pipeInput(id, CODEC.encode(new OpenAccount(metadataOf(id), "alice", "EUR")));

    CommandResult refused = result();
    assertThat(refused.getOutcome()).isEqualTo(Outcome.REJECTED);
    assertThat(refused.getRejectionCode()).isEqualTo("invalid-aggregate-id");
    assertThat(events.isEmpty()).isTrue();
  }

  @Test
  void theResultCarriesTheCommandsHeadersBackSoTheSenderCanMatchIt() {
    commands.pipeInput(new TestRecord<>(account, CODEC.encode(open(null, null)),
        new org.apache.kafka.common.header.internals.RecordHeaders().add("kafka_correlationId", new byte[] {7}), T0));
    assertThat(results.readRecord().headers().lastHeader("kafka_correlationId").value()).containsExactly(7);
  }

  @Test
  void aCommandThatArrivesAfterItsDeadlineIsNotExecuted() {
    send(open(null, null));
    results.readRecord();
    events.readRecord();
    CommandMetadata late = metadata(null, null);
    clock.advance(Duration.ofSeconds(6));
    send(new DepositMoney(late, 100L, "late"));
    assertThat(result().getOutcome()).isEqualTo(Outcome.EXPIRED);
    assertThat(events.isEmpty()).isTrue();
  }

  @Test
  void anExpectedVersionThatDiffersIsAConflict() {
    send(open(null, null));
    send(new DepositMoney(metadata(0L, null), 100L, ""));
    results.readRecord();
    CommandResult conflict = result();
    assertThat(conflict.getOutcome()).isEqualTo(Outcome.CONFLICT);
    assertThat(conflict.getVersion()).isEqualTo(1);
    assertThat(events.readRecordsToList()).hasSize(1);
  }

  @Test
  void aRepeatedKeyIsAnsweredFromMemoryAndAReusedKeyIsRefused() {
    send(open(null, null));
    send(new DepositMoney(metadata(null, "k1", "hash-a"), 100L, ""));
    send(new DepositMoney(metadata(null, "k1", "hash-a"), 100L, ""));
    send(new DepositMoney(metadata(null, "k1", "hash-b"), 100L, ""));
    List<CommandResult> answers = results.readValuesToList().stream().map(v -> (CommandResult) CODEC.decode(v)).toList();
    assertThat(answers.get(2)).isEqualTo(answers.get(1));
    assertThat(answers.get(3).getOutcome()).isEqualTo(Outcome.KEY_REUSED);
    assertThat(events.readRecordsToList()).hasSize(2);
  }

  @Test
  void aKeyIsForgottenAfterItsWindow() {
    send(open(null, null));
    send(new DepositMoney(metadata(null, "k2", "hash-a"), 100L, ""));
    clock.advance(Duration.ofHours(25));
    commands.advanceTime(Duration.ofHours(25));
    send(new DepositMoney(metadata(null, "k2", "hash-a"), 100L, ""));
    List<SpecificRecord> appended = events.readValuesToList().stream().map(CODEC::decode).toList();
    assertThat(appended).hasSize(3);
    assertThat(((MoneyDeposited) appended.getLast()).getBalanceAfter()).isEqualTo(200);
  }

  @Test
  void aCommandWithLessThanTheDecisionMarginLeftIsNotExecuted() {
    send(open(null, null));
    CommandMetadata tooLate = metadata(null, null);
    // 4.5 s of the 5 s deadline gone: fewer than the decision margin (1 s) left to commit and answer.
    clock.advance(Duration.ofMillis(4_500));
    send(new DepositMoney(tooLate, 100L, "late"));
    CommandMetadata inTime = metadata(null, null);
    clock.advance(Duration.ofSeconds(4));
    send(new DepositMoney(inTime, 100L, "in time"));
    List<CommandResult> answers = results.readValuesToList().stream().map(v -> (CommandResult) CODEC.decode(v)).toList();
    assertThat(answers).extracting(CommandResult::getOutcome)
        .containsExactly(Outcome.ACCEPTED, Outcome.EXPIRED, Outcome.ACCEPTED);
    assertThat(events.readValuesToList()).hasSize(2);
  }

  @Test
  void aKeyIsFoundByAnOwnerWhoseClockIsBehindTheOneThatStoredIt() {
    send(open(null, null));
    send(new DepositMoney(metadata(null, "skewed", "hash-a"), 100L, ""));
    // The partition moves to an instance whose clock is a minute behind (more than the command TTL).
    clock.advance(Duration.ofMinutes(-1));
    send(new DepositMoney(metadata(null, "skewed", "hash-a"), 100L, ""));
    List<CommandResult> answers = results.readValuesToList().stream().map(v -> (CommandResult) CODEC.decode(v)).toList();
    assertThat(answers.get(2)).isEqualTo(answers.get(1));
    assertThat(events.readRecordsToList()).hasSize(2);
  }

  @Test
  void aKeyStoredWhileTheClockIsSteppedBackIsStillRemembered() {
    send(open(null, "opened"));
    // The clock is stepped back by two days, more than the whole idempotency window.
    clock.advance(Duration.ofDays(-2));
    send(new DepositMoney(metadata(null, "stepped-back", "hash-a"), 100L, ""));
    send(new DepositMoney(metadata(null, "stepped-back", "hash-a"), 100L, ""));
    clock.advance(Duration.ofDays(2));
    send(new DepositMoney(metadata(null, "stepped-back", "hash-a"), 100L, ""));
    List<CommandResult> answers = results.readValuesToList().stream().map(v -> (CommandResult) CODEC.decode(v)).toList();
    assertThat(answers.get(2)).isEqualTo(answers.get(1));
    assertThat(answers.get(3)).isEqualTo(answers.get(1));
    assertThat(events.readRecordsToList()).hasSize(2);
  }

  @Test
  void theStateStoreHoldsTheFoldedSnapshot() {
    send(open(null, null));
    send(new DepositMoney(metadata(null, null), 250L, ""));
    byte[] stored = driver.<String, byte[]>getKeyValueStore(SETTINGS.stateStore()).get(account);
    assertThat(CODEC.decode(stored)).isEqualTo(new AccountSnapshot(AccountStatus.OPEN, "alice", "EUR", 250L, List.of(), 2L));
  }

  @Test
  void aCommandNobodyCanReadIsSkippedCountedAndShownAndTheNextOneIsDecided() {
    commands.pipeInput(account, "not avro".getBytes(StandardCharsets.UTF_8));
    // Decodable, but no command: an event has no command envelope to answer to.
    commands.pipeInput(account, CODEC.encode(AccountEvents.opened(account, "alice", "EUR", T0)));
    send(open(null, null));
    assertThat(result().getOutcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(results.isEmpty()).isTrue();
    assertThat(meters.counter("tally.writer.skipped.commands", "aggregate", "account").count()).isEqualTo(2);
    assertThat(skipped.details()).containsEntry("skippedCommands", 2L);
    assertThat(skipped.details().get("lastSkippedCommand").toString()).contains("commands-0@1", "AccountOpened");
  }

  @Test
  void aCommandSentUnderAnotherAggregatesKeyIsRefusedNotDecidedInTheWrongPartition() {
    commands.pipeInput(UUID.randomUUID().toString(), CODEC.encode(open(null, null)));
    CommandResult refused = result();
    assertThat(refused.getOutcome()).isEqualTo(Outcome.REJECTED);
    assertThat(refused.getRejectionCode()).isEqualTo("misrouted-command");
    assertThat(events.isEmpty()).isTrue();
  }

  @Test
  void aCommandTheBindingDoesNotHandleIsRefusedInsteadOfStoppingTheWriter() {
    driver.close();
    HookedAccountBinding noClosing = new HookedAccountBinding(command -> {
      if (command instanceof CloseAccount) {
        throw new IllegalArgumentException("not handled here");
      }
    }, event -> { });
    driver = new TopologyTestDriver(WriterTopology.build(SETTINGS, noClosing, clock, skipped), config(), T0);
    commands = driver.createInputTopic("commands", new StringSerializer(), new ByteArraySerializer(), T0, Duration.ZERO);
    results = driver.createOutputTopic("results", new StringDeserializer(), new ByteArrayDeserializer());
    send(open(null, null));
    send(new CloseAccount(metadata(null, null)));
    send(new DepositMoney(metadata(null, null), 100L, ""));
    List<CommandResult> answers = results.readValuesToList().stream().map(v -> (CommandResult) CODEC.decode(v)).toList();
    assertThat(answers).extracting(CommandResult::getOutcome)
        .containsExactly(Outcome.ACCEPTED, Outcome.REJECTED, Outcome.ACCEPTED);
    assertThat(answers.get(1).getRejectionCode()).isEqualTo("unsupported-command");
  }

  @Test
  void aCommandWrittenWithASchemaThisWriterDoesNotKnowStopsItInsteadOfBeingSkipped() {
    send(open(null, null));
    byte[] newer = NewerSchema.encode(new DepositMoney(metadata(null, null), 100L, "from a newer version"));
    assertThatThrownBy(() -> commands.pipeInput(account, newer))
        .hasStackTraceContaining("unknown schema fingerprint")
        .hasStackTraceContaining("newer version");
    assertThat(events.readRecordsToList()).hasSize(1);
    assertThat(results.readRecordsToList()).hasSize(1);
  }

  @Test
  void aStateWrittenWithASchemaThisWriterDoesNotKnowStopsIt() {
    send(open(null, null));
    driver.<String, byte[]>getKeyValueStore(SETTINGS.stateStore()).put(account,
        NewerSchema.encode(new AccountSnapshot(AccountStatus.OPEN, "alice", "EUR", 0L, List.of(), 1L)));
    assertThatThrownBy(() -> send(new DepositMoney(metadata(null, null), 100L, "")))
        .hasStackTraceContaining("cannot decode the state of " + account)
        .hasStackTraceContaining("newer version");
    assertThat(events.readRecordsToList()).hasSize(1);
  }

  private void send(SpecificRecord command) {
    commands.pipeInput(account, CODEC.encode(command));
  }

  private CommandResult result() {
    return (CommandResult) CODEC.decode(results.readValue());
  }

  private OpenAccount open(Long expected, String key) {
    return new OpenAccount(metadata(expected, key), "alice", "EUR");
  }

  private CommandMetadata metadata(Long expected, String key) {
    return metadata(expected, key, "hash");
  }

  private CommandMetadata metadata(Long expected, String key, String hash) {
    return new CommandMetadata(UUID.randomUUID().toString(), account, expected, key, hash, "corr", clock.instant());
  }

  private CommandMetadata metadataOf(String aggregateId) {
    return new CommandMetadata(UUID.randomUUID().toString(), aggregateId, null, null, "hash", "corr", clock.instant());
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
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
