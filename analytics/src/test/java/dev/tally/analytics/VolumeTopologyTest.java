package dev.tally.analytics;

import static dev.tally.analytics.TestEvents.closed;
import static dev.tally.analytics.TestEvents.deposited;
import static dev.tally.analytics.TestEvents.encode;
import static dev.tally.analytics.TestEvents.headers;
import static dev.tally.analytics.TestEvents.opened;
import static dev.tally.analytics.TestEvents.withdrawn;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import dev.tally.schemas.event.EventMetadata;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    driver = new TopologyTestDriver(VolumeTopology.build(config), config.streamsProperties());
    events = driver.createInputTopic(config.eventsTopic(), new StringSerializer(), new ByteArraySerializer());
    output = driver.createOutputTopic(config.outputTopic(), new StringDeserializer(), new StringDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void publishesTheFinalVolumeOfEachCurrencyAndMinuteCountingLateEventsWithinGraceOnly() {
    pipe(opened(EUR_ACCOUNT, "EUR", at(0)));
    pipe(opened(USD_ACCOUNT, "USD", at(1)));
    pipe(deposited(EUR_ACCOUNT, 2, 1000, at(10)));
    pipe(deposited(USD_ACCOUNT, 2, 500, at(20)));
    pipe(withdrawn(EUR_ACCOUNT, 3, 300, at(40)));
    events.pipeInput(new TestRecord<>(EUR_ACCOUNT, "not an event".getBytes(StandardCharsets.UTF_8), new RecordHeaders(),
        at(45)));
    pipe(deposited(EUR_ACCOUNT, 4, 200, at(65)));
    // Late: stream time is 10:16:05, the 10:15 window closes at 10:16:00 + 30 s grace.
    pipe(deposited(USD_ACCOUNT, 3, 700, at(50)));
    assertThat(output.isEmpty()).as("nothing is published before a window closes").isTrue();

    // Stream time 10:16:40: the 10:15 windows close.
    pipe(deposited(EUR_ACCOUNT, 5, 100, at(100)));
    // Too late: its window closed at 10:16:30.
    pipe(deposited(USD_ACCOUNT, 4, 999, at(30)));
    pipe(withdrawn(USD_ACCOUNT, 5, 100, at(70)));
    pipe(closed(EUR_ACCOUNT, 6, at(110)));
    // Stream time 10:18:00: the 10:16 windows close, the 10:18 one stays open.
    pipe(deposited(USD_ACCOUNT, 6, 1, at(180)));

    List<TestRecord<String, String>> published = output.readRecordsToList();
    Map<String, VolumeResult> byKey = new LinkedHashMap<>();
    for (TestRecord<String, String> record : published) {
      VolumeResult result = VolumeResult.fromJson(record.value());
      assertThat(record.key()).isEqualTo(result.key());
      assertThat(byKey.put(record.key(), result)).as("one final result per window: %s", record.key()).isNull();
    }
    assertThat(byKey).containsOnly(
        Map.entry("EUR@2026-11-24T10:15:00Z", result("EUR", "10:15", 1000, 300, 2)),
        Map.entry("USD@2026-11-24T10:15:00Z", result("USD", "10:15", 1200, 0, 2)),
        Map.entry("EUR@2026-11-24T10:16:00Z", result("EUR", "10:16", 300, 0, 2)),
        Map.entry("USD@2026-11-24T10:16:00Z", result("USD", "10:16", 0, 100, 1)));
    assertThat(published).filteredOn(record -> record.key().equals("EUR@2026-11-24T10:15:00Z"))
        .extracting(TestRecord::value)
        .containsExactly("{\"currency\":\"EUR\",\"windowStart\":\"2026-11-24T10:15:00Z\","
            + "\"windowEnd\":\"2026-11-24T10:16:00Z\",\"deposited\":1000,\"withdrawn\":300,\"count\":2}");
    assertThat(metric("poison-records-total")).isEqualTo(1.0);
    assertThat(metric("orphan-records-total")).isEqualTo(0.0);
  }

  @Test
  void skipsMoneyEventsOfAnAccountNeverSeenOpened() {
    String stranger = UUID.randomUUID().toString();
    pipe(deposited(stranger, 2, 50, at(5)));
    pipe(opened(EUR_ACCOUNT, "EUR", at(6)));
    pipe(deposited(EUR_ACCOUNT, 2, 10, at(7)));
    pipe(deposited(EUR_ACCOUNT, 3, 1, at(200)));

    assertThat(output.readKeyValuesToMap()).containsOnlyKeys("EUR@2026-11-24T10:15:00Z");
    assertThat(metric("orphan-records-total")).isEqualTo(1.0);
  }

  private void pipe(SpecificRecord event) {
    String key = ((EventMetadata) event.get(0)).getAggregateId();
    // The record timestamp is deliberately not the event time: windows follow metadata.occurredAt.
    events.pipeInput(new TestRecord<>(key, encode(event), headers(event), T.plusSeconds(86_400)));
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
