package dev.tally.command.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.account.wire.AccountBinding;
import dev.tally.runtime.writer.SkippedCommands;
import dev.tally.runtime.writer.WriterSettings;
import dev.tally.runtime.writer.WriterTopology;
import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.CommandResult;
import dev.tally.schemas.command.DepositMoney;
import dev.tally.schemas.command.OpenAccount;
import dev.tally.schemas.command.Outcome;
import dev.tally.schemas.state.AccountSnapshot;
import dev.tally.schemas.state.AccountStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The account on the single writer: what is the account's own, its snapshot. The writer itself is
 * tested on a toy aggregate in runtime/writer ({@code WriterTopologyTest}).
 */
class AccountWriterTopologyTest {

  private static final AvroCodec CODEC = AvroCodec.standard();
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final WriterSettings SETTINGS = new WriterSettings("account", "commands", "events", "results",
      Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofHours(24));

  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> commands;
  private TestOutputTopic<String, byte[]> results;
  private final String account = UUID.randomUUID().toString();

  @BeforeEach
  void start() {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "writer-test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    SkippedCommands skipped = new SkippedCommands(new SimpleMeterRegistry(), "account");
    driver = new TopologyTestDriver(
        WriterTopology.build(SETTINGS, new AccountBinding(), Clock.fixed(T0, ZoneOffset.UTC), skipped), config, T0);
    commands = driver.createInputTopic("commands", new StringSerializer(), new ByteArraySerializer(), T0, Duration.ZERO);
    results = driver.createOutputTopic("results", new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void theStateStoreHoldsEveryFieldOfTheFoldedAccount() {
    send(new OpenAccount(metadata(), "alice", "EUR"));
    send(new DepositMoney(metadata(), 250L, ""));
    assertThat(results.readValuesToList()).extracting(value -> ((CommandResult) CODEC.decode(value)).getOutcome())
        .containsExactly(Outcome.ACCEPTED, Outcome.ACCEPTED);
    byte[] stored = driver.<String, byte[]>getKeyValueStore(SETTINGS.stateStore()).get(account);
    assertThat(CODEC.decode(stored)).isEqualTo(new AccountSnapshot(AccountStatus.OPEN, "alice", "EUR", 250L, List.of(), 2L));
  }

  private void send(SpecificRecord command) {
    commands.pipeInput(account, CODEC.encode(command));
  }

  private CommandMetadata metadata() {
    return new CommandMetadata(UUID.randomUUID().toString(), account, null, null, "hash", "corr", T0);
  }
}
