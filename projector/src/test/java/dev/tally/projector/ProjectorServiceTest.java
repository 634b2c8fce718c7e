package dev.tally.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.runtime.projection.DeadLetters;
import dev.tally.testing.Http;
import dev.tally.testing.TallyInfrastructureInitializer;
import dev.tally.testing.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The projector as deployed: Spring Boot, a real broker, a real database, health and metrics over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = TallyInfrastructureInitializer.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS) // stop it while the broker is still up
class ProjectorServiceTest {

  private static final List<String> TOPICS = TestInfrastructure.createTopics(3, "events", "dead-letters");
  private static final String EVENTS = TOPICS.get(0);
  private static final String DEAD_LETTERS = TOPICS.get(1);

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    ReadModel.ensureReaderRole();
    registry.add("tally.topics.account.events", () -> EVENTS);
    registry.add("tally.topics.account.dead-letters", () -> DEAD_LETTERS);
    registry.add("tally.projector.application-id", () -> TestInfrastructure.uniqueName("projector"));
    registry.add("tally.projector.state-dir", () -> Path.of("target", "streams-state").toAbsolutePath().toString());
    registry.add("tally.projector.lag-interval", () -> "200ms");
    // Reads below go through the serving views, as the query API's do.
    registry.add("spring.datasource.hikari.schema", () -> "tally_read");
  }

  @Value("${local.server.port}")
  int port;

  @Autowired
  DataSource dataSource;

  @Test
  void healthIsUpWhenKafkaStreamsRunsAndKafkaAndTheDatabaseAnswer() {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var response = Http.get(url("/actuator/health"));
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"status\":\"UP\"").contains("\"kafka\"").contains("\"db\"")
          .containsPattern("\"kafkaStreams\":\\{[^}]*\"state\":\"(RUNNING|REBALANCING)\"");
    });
  }

  @Test
  void eventsFromATransactionalWriterBecomeTheFoldOfTheLog() {
    List<SpecificRecord> events = new Ledger(11, 40, Clock.systemUTC()).next(1500);
    try (EventLog log = EventLog.transactional(EVENTS)) {
      for (int i = 0; i < events.size(); i += 100) {
        log.append(events.subList(i, i + 100));
      }
    }
    ReadModel.Dump expected = Fold.of(events);
    Set<String> accounts = expected.accounts().stream().map(row -> row.substring(0, 36)).collect(Collectors.toSet());

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(only(ReadModel.dump(dataSource), accounts)).isEqualTo(expected));
  }

  @Test
  void aPoisonRecordGoesToTheDeadLetterTopicAndOtherAccountsGoOn() {
    UUID poisoned = UUID.randomUUID();
    UUID healthy = UUID.randomUUID();
    try (EventLog log = EventLog.transactional(EVENTS)) {
      log.append(List.of(Events.opened(poisoned, "poisoned", "EUR")));
      log.appendRaw(poisoned.toString(), "garbage".getBytes(StandardCharsets.UTF_8));
      log.append(List.of(Events.deposited(poisoned, 3, 10, 10, "held back")));
      log.append(List.of(Events.opened(healthy, "healthy", "EUR"), Events.deposited(healthy, 2, 99, 99, "fine")));
    }

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ReadModel.query(dataSource,
        "SELECT balance FROM accounts WHERE account_id = '" + healthy + "'")).containsExactly("99"));
    List<ConsumerRecord<String, byte[]>> letters = await().atMost(Duration.ofSeconds(30))
        .until(() -> EventLog.readAll(DEAD_LETTERS), records -> records.size() >= 2);
    assertThat(letters).hasSize(2).allSatisfy(letter -> assertThat(letter.key()).isEqualTo(poisoned.toString()));
    Map<String, String> poison = headers(letters.get(0));
    assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("garbage");
    assertThat(poison).containsEntry(DeadLetters.REASON, "undecodable")
        .containsEntry(DeadLetters.SOURCE_TOPIC, EVENTS)
        .containsKeys(DeadLetters.SOURCE_PARTITION, DeadLetters.SOURCE_OFFSET, DeadLetters.SOURCE_TIMESTAMP,
            DeadLetters.EXCEPTION_CLASS, DeadLetters.EXCEPTION_MESSAGE);
    assertThat(headers(letters.get(1))).containsEntry(DeadLetters.REASON, "parked")
        .containsEntry(DeadLetters.PARKED_BY_OFFSET, poison.get(DeadLetters.SOURCE_OFFSET));
    assertThat(ReadModel.query(dataSource, "SELECT balance || ' ' || version FROM accounts WHERE account_id = '"
        + poisoned + "'")).containsExactly("0 1");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        metric(Http.get(url("/actuator/prometheus")).body(), "tally_projection_dead_letters_total", "reason=\"undecodable\""))
        .isEqualTo(1.0));
  }

  @Test
  void batchesRowsDeadLettersAndLagArePublishedForPrometheus() {
    UUID account = UUID.randomUUID();
    try (EventLog log = EventLog.transactional(EVENTS)) {
      log.append(List.of(Events.opened(account, "metrics", "EUR"), Events.deposited(account, 2, 1, 1, "m")));
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ReadModel.query(dataSource,
        "SELECT version FROM accounts WHERE account_id = '" + account + "'")).containsExactly("2"));

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String metrics = Http.get(url("/actuator/prometheus")).body();
      assertThat(metric(metrics, "tally_projection_batch_size_events_count", "projection=\"accounts\"")).isPositive();
      assertThat(metric(metrics, "tally_projection_rows_written_total", "projection=\"accounts\"")).isPositive();
      assertThat(metric(metrics, "tally_projection_events_total", "projection=\"accounts\"")).isPositive();
      assertThat(metrics).contains("tally_projection_dead_letters_total");
      for (int partition = 0; partition < 3; partition++) {
        assertThat(metric(metrics, "tally_projection_lag_records", "partition=\"" + partition + "\"")).isZero();
        assertThat(metric(metrics, "tally_projection_lag_seconds", "partition=\"" + partition + "\"")).isZero();
      }
    });
  }

  private String url(String path) {
    return "http://localhost:" + port + path;
  }

  private static ReadModel.Dump only(ReadModel.Dump dump, Set<String> accounts) {
    return new ReadModel.Dump(
        dump.accounts().stream().filter(row -> accounts.contains(row.substring(0, 36))).toList(),
        dump.transactions().stream().filter(row -> accounts.contains(row.substring(0, 36))).toList());
  }

  private static Map<String, String> headers(ConsumerRecord<String, byte[]> record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    return headers;
  }

  /** The value of the first sample of a metric whose labels contain the given text, or NaN. */
  static double metric(String exposition, String name, String labelText) {
    Matcher matcher = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(exposition);
    while (matcher.find()) {
      if (matcher.group(1).contains(labelText)) {
        return Double.parseDouble(matcher.group(2));
      }
    }
    return Double.NaN;
  }
}
