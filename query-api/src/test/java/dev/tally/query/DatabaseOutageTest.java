package dev.tally.query;

import static dev.tally.query.Answers.assertProblem;
import static dev.tally.query.Answers.json;
import static dev.tally.query.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.tally.query.consistency.ConsistencyWatcher;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * While the read model's database hangs (every PostgreSQL process frozen: connections open and
 * silent), is down, or holds a query up, reads are answered with a 503 problem and
 * {@code Retry-After} once the bounds of application.yml run out (the pool's connection timeout,
 * the driver's socket timeout, the server's statement timeout), not after the pool's former 30 s;
 * and reads, tokens and health recover when it returns. The query API runs with its shipped
 * settings.
 *
 * <p>No answer is timed: the client gives up after {@link #CLIENT_PATIENCE}, far above the
 * configured bounds (3 s at most) and far below the former hang, so only a read that hangs fails.
 */
class DatabaseOutageTest {

  private static final Duration CLIENT_PATIENCE = Duration.ofSeconds(15);
  private static final Instant OPENED = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void readsAreRefusedPromptlyWhileTheDatabaseHangsOrIsDownAndRecoverWhenItReturns() throws Exception {
    try (PausablePostgres postgres = PausablePostgres.start()) {
      ReadModelFixture db = ReadModelFixture.on(postgres.database());
      UUID id = UUID.randomUUID();
      db.account(id, "olaf", 10, "OPEN", 1, OPENED);
      try (QueryApiInstance api = QueryApiInstance.start(db.jdbcUrl(), Map.of())) {
        HikariDataSource pool = api.bean(HikariDataSource.class);
        assertThat(pool.getConnectionTimeout()).as("shipped connection timeout, ms").isEqualTo(2_000);
        assertThat(pool.getDataSourceProperties()).containsEntry("socketTimeout", "3");
        ConsistencyWatcher watcher = api.bean(ConsistencyWatcher.class);
        await().atMost(Duration.ofSeconds(30)).until(watcher::listening);
        assertThat(read(api, id).statusCode()).isEqualTo(200);

        postgres.pause();
        try {
          // More reads at once than the pool has connections, and one with a token.
          List<CompletableFuture<HttpResponse<String>>> reads = IntStream.range(0, 12)
              .mapToObj(i -> CompletableFuture.supplyAsync(() -> read(api, id))).toList();
          reads.forEach(response -> assertUnavailable(response.join()));
          assertUnavailable(api.get("/accounts/" + id, CLIENT_PATIENCE, "Consistency-Token", token(id, 1)));
          assertThat(poolTimeouts(api)).as("times the pool's connection timeout answered").isPositive();
          HttpResponse<String> health = api.get("/actuator/health", CLIENT_PATIENCE);
          assertThat(health.statusCode()).isEqualTo(503);
          assertThat(json(health).at("/components/db/status").asString()).isEqualTo("DOWN");
          await().atMost(Duration.ofSeconds(30)).until(() -> !watcher.listening());
        } finally {
          postgres.resume();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> read(api, id).statusCode() == 200);
        await().atMost(Duration.ofSeconds(60)).until(watcher::listening);
        assertTokenReadsWakeUp(api, watcher, db, id, 2);

        postgres.stop();
        assertUnavailable(read(api, id));
        assertUnavailable(api.get("/accounts/" + id, CLIENT_PATIENCE, "Consistency-Token", token(id, 2)));
        postgres.restart();
        await().atMost(Duration.ofSeconds(60)).until(() -> read(api, id).statusCode() == 200);
        await().atMost(Duration.ofSeconds(60)).until(
            () -> api.get("/actuator/health", CLIENT_PATIENCE).statusCode() == 200);
        assertTokenReadsWakeUp(api, watcher, db, id, 3);

        // A relation locked by someone else (a migration, say): the server cancels the read.
        try (Connection locker = db.owner().getConnection(); Statement statement = locker.createStatement()) {
          locker.setAutoCommit(false);
          statement.execute("LOCK TABLE " + db.generationSchema() + ".accounts IN ACCESS EXCLUSIVE MODE");
          assertUnavailable(read(api, id));
          locker.rollback();
        }
        assertThat(read(api, id).statusCode()).isEqualTo(200);
      }
    }
  }

  /** The watcher listens again: a read waiting for the next version is woken by the projector's notification. */
  private static void assertTokenReadsWakeUp(QueryApiInstance api, ConsistencyWatcher watcher, ReadModelFixture db,
      UUID id, long version) {
    CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(
        () -> api.get("/accounts/" + id, CLIENT_PATIENCE, "Consistency-Token", token(id, version)));
    await().atMost(Duration.ofSeconds(30)).until(() -> watcher.pendingWaits() == 1);
    db.advance(id, version, version * 10);
    assertThat(json(waiting.join()).get("version").asLong()).isEqualTo(version);
  }

  private static HttpResponse<String> read(QueryApiInstance api, UUID id) {
    return api.get("/accounts/" + id, CLIENT_PATIENCE);
  }

  private static void assertUnavailable(HttpResponse<String> response) {
    var problem = assertProblem(response, 503);
    assertThat(problem.get("type").asString()).isEqualTo("/problems/read-model-unavailable");
    assertThat(response.headers().firstValue("Retry-After")).contains("1");
  }

  private static double poolTimeouts(QueryApiInstance api) {
    var counter = api.bean(MeterRegistry.class).find("hikaricp.connections.timeout").counter();
    return counter == null ? 0 : counter.count();
  }
}
