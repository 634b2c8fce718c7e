package dev.tally.analytics;

import static dev.tally.analytics.TestEvents.closed;
import static dev.tally.analytics.TestEvents.deposited;
import static dev.tally.analytics.TestEvents.encode;
import static dev.tally.analytics.TestEvents.headers;
import static dev.tally.analytics.TestEvents.opened;
import static dev.tally.analytics.TestEvents.withdrawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.event.EventMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology on one partition, with the wall clock in the test's hands: windows close when the
 * partition's watermark (latest event time minus grace, or the wall clock minus grace once the
 * partition is quiet) passes their end. Several partitions read at different speeds: {@code VolumeAppKafkaTest}.
 */
class VolumeTopologyTest {

  private static final Instant T = Instant.parse("2026-11-24T10:15:00Z");
  private static final String EUR_ACCOUNT = UUID.nameUUIDFromBytes("eur".getBytes()).toString();
  private static final String USD_ACCOUNT = UUID.nameUUIDFromBytes("usd".getBytes()).toString();

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> events;
  private TestOutputTopic<String, String> output;

  @BeforeEach
  void start() {
    VolumeConfig config = VolumeConfig.defaults().withApplicationId("volume-test").withStateDir(stateDir);
    driver = new TopologyTestDriver(VolumeTopology.build(config, 1), config.streamsProperties(), T);
    events = driver.createInputTopic(config.eventsTopic(), new StringSerializer(), new ByteArraySerializer());
    output = driver.createOutputTopic(config.outputTopic(), new StringDeserializer(), new StringDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void publishesTheFinalVolumeOfEachCurrencyAndMinuteOnceThePartitionHasPassedIt() {
    pipe(opened(EUR_ACCOUNT, "EUR", at(0)));
    pipe(opened(USD_ACCOUNT, "USD", at(1)));
    pipe(deposited(EUR_ACCOUNT, 2, 1000, at(10)));
    pipe(deposited(USD_ACCOUNT, 2, 500, at(20)));
    pipe(withdrawn(EUR_ACCOUNT, 3, 300, at(40)));
    events.pipeInput(new TestRecord<>(EUR_ACCOUNT, "not an event".getBytes(StandardCharsets.UTF_8),
        type("account.deposited"), at(45)));
    pipe(deposited(EUR_ACCOUNT, 4, 200, at(65)));
    // Older than the latest event, by less than the grace: the partition's watermark is 10:15:35.
    pipe(deposited(USD_ACCOUNT, 3, 700, at(50)));
    tick();
    assertThat(output.isEmpty()).as("nothing is published before a window closes").isTrue();

    // Watermark 10:16:10: the 10:15 windows close.
    pipe(deposited(EUR_ACCOUNT, 5, 100, at(100)));
    tick();
    // Its window is closed: counted as late, not published.
    pipe(deposited(USD_ACCOUNT, 4, 999, at(30)));
    pipe(withdrawn(USD_ACCOUNT, 5, 100, at(70)));
    pipe(closed(EUR_ACCOUNT, 6, at(110)));
    // Watermark 10:17:30: the 10:16 windows close, the 10:18 one stays open.
    pipe(deposited(USD_ACCOUNT, 6, 1, at(180)));
    tick();

    List<TestRecord<String, String>> published = output.readRecordsToList();
    assertThat(byKey(published)).containsOnly(
        Map.entry("EUR@2026-11-24T10:15:00Z", result("EUR", "10:15", 1000, 300, 2)),
        Map.entry("USD@2026-11-24T10:15:00Z", result("USD", "10:15", 1200, 0, 2)),
        Map.entry("EUR@2026-11-24T10:16:00Z", result("EUR", "10:16", 300, 0, 2)),
        Map.entry("USD@2026-11-24T10:16:00Z", result("USD", "10:16", 0, 100, 1)));
    assertThat(published).filteredOn(record -> record.key().equals("EUR@2026-11-24T10:15:00Z"))
        .singleElement()
        .satisfies(record -> assertThat(record.value()).isEqualTo("{\"currency\":\"EUR\",\"windowStart\":\"2026-11-24T10:15:00Z\","
            + "\"windowEnd\":\"2026-11-24T10:16:00Z\",\"deposited\":1000,\"withdrawn\":300,\"count\":2}"))
        .satisfies(record -> assertThat(record.timestamp()).as("the window's last millisecond")
            .isEqualTo(Instant.parse("2026-11-24T10:15:59.999Z").toEpochMilli()));
    assertThat(metric("poison-records-total")).isEqualTo(1.0);
    assertThat(metric("late-records-total")).isEqualTo(1.0);
    assertThat(metric("orphan-records-total")).isEqualTo(0.0);
  }

  @Test
  void aQuietPartitionClosesItsWindowsByTheWallClock() {
    pipe(opened(EUR_ACCOUNT, "EUR", at(0)));
    pipe(deposited(EUR_ACCOUNT, 2, 10, at(10)));

    driver.advanceWallClockTime(Duration.ofSeconds(31));
    assertThat(output.isEmpty()).as("quiet for a grace period, its watermark is 10:15:01").isTrue();
    driver.advanceWallClockTime(Duration.ofSeconds(60));
    assertThat(output.readKeyValuesToMap()).containsOnlyKeys("EUR@2026-11-24T10:15:00Z");
    driver.advanceWallClockTime(Duration.ofMinutes(5));
    assertThat(output.isEmpty()).as("published once").isTrue();
  }

  /** The grace bounds disorder; being quiet takes {@link PartitionClock#QUIET}, however short the grace. */
  @Test
  void aShortGraceDoesNotMakeAPartitionQuietSooner() {
    driver.close();
    VolumeConfig config = VolumeConfig.from(new String[] {"--grace", "PT1S", "--state-dir", stateDir.toString()}, Map.of());
    driver = new TopologyTestDriver(VolumeTopology.build(config, 1), config.streamsProperties(), at(120));
    events = driver.createInputTopic(config.eventsTopic(), new StringSerializer(), new ByteArraySerializer());
    output = driver.createOutputTopic(config.outputTopic(), new StringDeserializer(), new StringDeserializer());
    pipe(opened(EUR_ACCOUNT, "EUR", at(0)));
    pipe(deposited(EUR_ACCOUNT, 2, 10, at(10)));

    driver.advanceWallClockTime(Duration.ofSeconds(2));
    assertThat(output.isEmpty()).as("2 s without a record: maybe still reading, its watermark is 10:15:09").isTrue();
    driver.advanceWallClockTime(Duration.ofSeconds(28));
    assertThat(output.readKeyValuesToMap()).as("quiet: its watermark is the wall clock, 10:17:29")
        .containsOnlyKeys("EUR@2026-11-24T10:15:00Z");
  }

  @Test
  void skipsMoneyEventsOfAnAccountNeverSeenOpened() {
    String stranger = UUID.randomUUID().toString();
    pipe(deposited(stranger, 2, 50, at(5)));
    pipe(opened(EUR_ACCOUNT, "EUR", at(6)));
    pipe(deposited(EUR_ACCOUNT, 2, 10, at(7)));
    pipe(deposited(EUR_ACCOUNT, 3, 1, at(200)));
    tick();

    assertThat(output.readKeyValuesToMap()).containsOnlyKeys("EUR@2026-11-24T10:15:00Z");
    assertThat(metric("orphan-records-total")).isEqualTo(1.0);
  }

  @Test
  void skipsTypesItDoesNotCountWithoutDecodingThem() {
    pipe(opened(EUR_ACCOUNT, "EUR", at(0)));
    // An event type added after this consumer was written: a schema it cannot know.
    events.pipeInput(new TestRecord<>(EUR_ACCOUNT, newerSchema(deposited(EUR_ACCOUNT, 2, 5, at(1))),
        type("account.frozen"), at(1)));
    pipe(closed(EUR_ACCOUNT, 3, at(2)));
    pipe(deposited(EUR_ACCOUNT, 4, 5, at(200)));
    tick();

    assertThat(output.readKeyValuesToMap()).isEmpty();
    assertThat(metric("poison-records-total")).isZero();
  }

  @Test
  void aRecordWhoseHeaderDisagreesWithItsValueIsPoison() {
    pipe(opened(EUR_ACCOUNT, "EUR", at(0)));
    events.pipeInput(new TestRecord<>(EUR_ACCOUNT, encode(opened(EUR_ACCOUNT, "EUR", at(1))), type("account.deposited"),
        at(1)));
    events.pipeInput(new TestRecord<>(EUR_ACCOUNT, encode(deposited(EUR_ACCOUNT, 2, 5, at(2))), new RecordHeaders(),
        at(2)));

    assertThat(metric("poison-records-total")).isEqualTo(2.0);
  }

  @Test
  void stopsAtACountedTypeWrittenWithASchemaItDoesNotKnow() {
    pipe(opened(EUR_ACCOUNT, "EUR", at(0)));

    assertThatThrownBy(() -> events.pipeInput(new TestRecord<>(EUR_ACCOUNT,
        newerSchema(deposited(EUR_ACCOUNT, 2, 5, at(1))), type("account.deposited"), at(1))))
        .isInstanceOf(StreamsException.class)
        .rootCause().hasMessageContaining("unknown schema fingerprint");
    assertThat(metric("poison-records-total")).as("not skipped as poison").isZero();
  }

  private void pipe(SpecificRecord event) {
    String key = ((EventMetadata) event.get(0)).getAggregateId();
    // The record timestamp is deliberately not the event time: windows follow metadata.occurredAt.
    events.pipeInput(new TestRecord<>(key, encode(event), headers(event), T.plusSeconds(86_400)));
  }

  /** One watermark: a second of wall clock, not enough for the partition to count as quiet. */
  private void tick() {
    driver.advanceWallClockTime(PartitionClock.TICK);
  }

  /** The event's bytes under a fingerprint no recorded schema has: as a newer writer would write it. */
  private static byte[] newerSchema(SpecificRecord event) {
    byte[] bytes = encode(event);
    bytes[5] ^= 0x5A;
    return bytes;
  }

  private static Headers type(String wireType) {
    return new RecordHeaders().add(SchemaCatalog.TYPE_PROPERTY, wireType.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, VolumeResult> byKey(List<TestRecord<String, String>> published) {
    Map<String, VolumeResult> byKey = new LinkedHashMap<>();
    for (TestRecord<String, String> record : published) {
      VolumeResult result = VolumeResult.fromJson(record.value());
      assertThat(record.key()).isEqualTo(result.key());
      assertThat(byKey.put(record.key(), result)).as("one final result per window: %s", record.key()).isNull();
    }
    return byKey;
  }

  private static Instant at(int seconds) {
    return T.plusSeconds(seconds);
  }

  private static VolumeResult result(String currency, String minute, long deposited, long withdrawn, long count) {
    Instant start = Instant.parse("2026-11-24T" + minute + ":00Z");
    return new VolumeResult(currency, start.toString(), start.plusSeconds(60).toString(), deposited, withdrawn, count);
  }

  private double metric(String name) {
    return driver.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("stream-tally-analytics-metrics"))
        .map(Map.Entry::getValue)
        .map(Metric::metricValue)
        .mapToDouble(v -> ((Number) v).doubleValue())
        .sum();
  }
}
