package dev.tally.projector;

import static dev.tally.projector.Events.deposited;
import static dev.tally.projector.Events.opened;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.testing.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * What the projection refuses to apply silently, against a real broker and database: a gap in an
 * aggregate's versions, the same version with another event id, a value the database cannot hold.
 * Each parks its aggregate (with a reason), and every other aggregate goes on.
 */
class ProjectionIntegrityTest {

  private final List<String> topics = TestInfrastructure.createTopics(1, "events", "dead-letters");
  private final String events = topics.get(0);
  private final DataSource db = ReadModel.dataSource(ReadModel.create());

  private InProcessProjector projector() {
    return new InProcessProjector(TestInfrastructure.uniqueName("integrity"), events, topics.get(1), db,
        Duration.ofMillis(20));
  }

  private void awaitBalance(UUID account, String balanceAndVersion) {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(ReadModel.query(db,
        "SELECT balance || ' ' || version FROM accounts WHERE account_id = '" + account + "'"))
        .containsExactly(balanceAndVersion));
  }

  private String row(UUID account) {
    return String.join(",", ReadModel.query(db,
        "SELECT balance || ' ' || version FROM accounts WHERE account_id = '" + account + "'"));
  }

  @Test
  void aGapInAnAggregatesVersionsParksItInsteadOfApplyingOverTheMissingHistory() {
    UUID gappy = UUID.randomUUID();
    UUID healthy = UUID.randomUUID();
    try (EventLog log = EventLog.transactional(events); InProcessProjector projector = projector()) {
      log.append(List.of(opened(gappy, "gappy", "EUR"), deposited(gappy, 2, 10, 10, "two"),
          deposited(gappy, 5, 10, 40, "five, after a gap"), deposited(gappy, 6, 5, 45, "six")));
      log.append(List.of(opened(healthy, "healthy", "EUR"), deposited(healthy, 2, 7, 7, "fine")));

      awaitBalance(healthy, "7 2");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ReadModel.query(db,
          "SELECT record_key || ' ' || reason FROM parked_keys")).singleElement().asString()
          .startsWith(gappy + " gap"));
      assertThat(row(gappy)).isEqualTo("10 2");
      assertThat(ReadModel.query(db, "SELECT version FROM account_transactions WHERE account_id = '" + gappy + "'"))
          .containsExactly("2");
      assertThat(ReadModel.query(db, "SELECT version FROM aggregate_versions WHERE aggregate_id = '" + gappy + "'"))
          .as("a consistency token for version 5 or 6 is never satisfied").containsExactly("2");
      assertThat(projector.registry.get("tally.projection.faults").tag("kind", "gap").counter().count()).isEqualTo(1);
    }
  }

  @Test
  void theSameVersionWithAnotherEventIdParksTheAggregate() {
    UUID account = UUID.randomUUID();
    UUID healthy = UUID.randomUUID();
    MoneyDeposited original = deposited(account, 2, 10, 10, "original");
    MoneyDeposited impostor = MoneyDeposited.newBuilder(deposited(account, 2, 99, 99, "impostor"))
        .setMetadata(EventMetadata.newBuilder(Events.metadata(account, 2, Events.T0.plusSeconds(2)))
            .setEventId(UUID.randomUUID().toString()).build())
        .build();
    try (EventLog log = EventLog.transactional(events); InProcessProjector projector = projector()) {
      log.append(List.of(opened(account, "acc", "EUR"), original, impostor, deposited(account, 3, 1, 100, "after")));
      log.append(List.of(opened(healthy, "healthy", "EUR"), deposited(healthy, 2, 7, 7, "fine")));

      awaitBalance(healthy, "7 2");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ReadModel.query(db,
          "SELECT record_key || ' ' || reason FROM parked_keys")).singleElement().asString()
          .startsWith(account + " conflict"));
      assertThat(row(account)).isEqualTo("10 2");
    }
  }

  @Test
  void anExactDuplicateOfTheLastEventChangesNothingAndParksNothing() {
    UUID account = UUID.randomUUID();
    MoneyDeposited deposit = deposited(account, 2, 10, 10, "once");
    try (EventLog log = EventLog.transactional(events); InProcessProjector projector = projector()) {
      log.append(List.of(opened(account, "acc", "EUR"), deposit));
      log.append(List.of(deposit));
      log.append(List.of(deposited(account, 3, 5, 15, "next")));

      awaitBalance(account, "15 3");
      assertThat(ReadModel.query(db, "SELECT count(*) FROM parked_keys")).containsExactly("0");
      assertThat(ReadModel.query(db, "SELECT count(*) FROM account_transactions")).containsExactly("2");
    }
  }

  @Test
  void aValueTheDatabaseCannotHoldParksItsKeyAndThePartitionGoesOn() {
    UUID broken = UUID.randomUUID();
    UUID healthy = UUID.randomUUID();
    // Year -10000: a valid Avro timestamp, and before the first instant PostgreSQL's timestamptz can hold.
    MoneyDeposited ancient = MoneyDeposited.newBuilder(deposited(broken, 2, 10, 10, "ancient"))
        .setMetadata(Events.metadata(broken, 2, Instant.parse("-10000-01-01T00:00:00Z"))).build();
    try (EventLog log = EventLog.transactional(events); InProcessProjector projector = projector()) {
      log.append(List.of(opened(broken, "broken", "EUR"), opened(healthy, "healthy", "EUR")));
      // Appended without a record timestamp: Kafka's cannot be negative.
      log.appendRaw(broken.toString(), Events.encode(ancient));
      log.append(List.of(deposited(broken, 3, 1, 11, "held back")));
      log.append(List.of(deposited(healthy, 2, 7, 7, "goes on")));

      awaitBalance(healthy, "7 2");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ReadModel.query(db,
          "SELECT record_key || ' ' || reason FROM parked_keys")).singleElement().asString()
          .startsWith(broken + " refused").contains("22008"));
      assertThat(row(broken)).isEqualTo("0 1");
    }
  }
}
