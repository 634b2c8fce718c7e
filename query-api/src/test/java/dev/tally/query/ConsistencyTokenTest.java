package dev.tally.query;

import static dev.tally.query.Answers.assertProblem;
import static dev.tally.query.Answers.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.query.consistency.ConsistencyWatcher;
import dev.tally.schemas.ConsistencyToken;
import dev.tally.testing.Http;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Read-your-writes: a query with a consistency token answers only once the read model holds the
 * token's version, woken by the projector's notification, and answers 503 rather than older data
 * when the bound ({@value #WAIT_TEXT}) passes. The periodic re-check is switched off here, so only
 * a notification can wake a waiting request.
 */
class ConsistencyTokenTest extends QueryApiTestBase {

  private static final String WAIT_TEXT = "2 s in these tests";
  private static final Instant OPENED = Instant.parse("2026-01-01T00:00:00Z");
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @Autowired
  ConsistencyWatcher watcher;

  private static String token(UUID account, long version) {
    return new ConsistencyToken(account, version, Instant.now()).encode();
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String path, String token) {
    return CLIENT.sendAsync(HttpRequest.newBuilder(uri(path)).header("Consistency-Token", token)
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aTokenTheReadModelAlreadyCoversIsAnsweredAtOnce() {
    UUID id = UUID.randomUUID();
    DB.account(id, "dora", 300, "OPEN", 4, OPENED);

    for (long version = 1; version <= 4; version++) {
      long started = System.nanoTime();
      var response = get("/accounts/" + id, "Consistency-Token", token(id, version));
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WAIT);
      assertThat(json(response).get("version").asLong()).isEqualTo(4);
    }
  }

  @Test
  void aRequestAheadOfTheReadModelWaitsAndAnswersWithTheNewDataWhenTheProjectorCatchesUp() throws Exception {
    UUID id = UUID.randomUUID();
    DB.account(id, "erin", 100, "OPEN", 1, OPENED);

    long started = System.nanoTime();
    CompletableFuture<HttpResponse<String>> response = getAsync("/accounts/" + id, token(id, 2));
    await().atMost(WAIT).until(() -> watcher.pendingWaits() >= 1);
    assertThat(response).isNotDone();
    DB.advance(id, 2, 175);

    HttpResponse<String> answer = response.get(10, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WAIT);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(json(answer).get("version").asLong()).isEqualTo(2);
    assertThat(json(answer).get("balance").asLong()).isEqualTo(175);
    assertThat(answer.headers().firstValue("ETag")).contains("\"2\"");
  }

  @Test
  void aTokenForAnAccountNotYetProjectedWaitsForItsFirstRow() throws Exception {
    UUID id = UUID.randomUUID();
    CompletableFuture<HttpResponse<String>> response = getAsync("/accounts?owner=fred-" + id, token(id, 1));
    await().atMost(WAIT).until(() -> watcher.pendingWaits() >= 1);

    DB.account(id, "fred-" + id, 0, "OPEN", 1, OPENED);
    DB.execute("NOTIFY tally_projection");

    HttpResponse<String> answer = response.get(10, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(json(answer).get("items").get(0).get("accountId").asString()).isEqualTo(id.toString());
  }

  @Test
  void oneNotificationWakesEveryRequestItSatisfies() throws Exception {
    List<UUID> ids = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      UUID id = UUID.randomUUID();
      DB.account(id, "gina", 0, "OPEN", 1, OPENED);
      ids.add(id);
      responses.add(getAsync("/accounts/" + id + "/transactions", token(id, 2)));
    }
    await().atMost(WAIT).until(() -> watcher.pendingWaits() >= 20);

    DB.execute("UPDATE accounts SET version = 2 WHERE owner = 'gina'");
    DB.execute("NOTIFY tally_projection");

    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(watcher.pendingWaits()).isZero();
  }

  @Test
  void aTokenNeverReachedIsA503WithRetryAfterOnceTheBoundHasPassed() {
    UUID id = UUID.randomUUID();
    DB.account(id, "hugo", 0, "OPEN", 3, OPENED);

    long started = System.nanoTime();
    var response = get("/accounts/" + id, "Consistency-Token", token(id, 4));
    Duration waited = Duration.ofNanos(System.nanoTime() - started);

    var problem = assertProblem(response, 503);
    assertThat(problem.get("type").asString()).isEqualTo("/problems/read-model-behind");
    assertThat(response.headers().firstValue("Retry-After")).contains("1");
    assertThat(waited).isGreaterThanOrEqualTo(WAIT).isLessThan(WAIT.plusSeconds(3));
    assertThat(watcher.pendingWaits()).isZero();
  }

  @Test
  void aTokenSlightlyInTheFutureIsClockSkewAndAccepted() {
    UUID id = UUID.randomUUID();
    DB.account(id, "ivan", 0, "OPEN", 1, OPENED);
    String skewed = new ConsistencyToken(id, 1, Instant.now().plusSeconds(20)).encode();

    assertThat(get("/accounts/" + id, "Consistency-Token", skewed).statusCode()).isEqualTo(200);
  }

  @Test
  void garbageAndFutureTokensAreRefusedWithoutWaiting() {
    UUID id = UUID.randomUUID();
    DB.account(id, "jane", 0, "OPEN", 1, OPENED);
    String future = new ConsistencyToken(id, 1, Instant.now().plus(Duration.ofHours(1))).encode();

    for (String token : List.of("garbage", future)) {
      long started = System.nanoTime();
      assertProblem(get("/accounts/" + id, "Consistency-Token", token), 400);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WAIT);
    }
  }

  @Test
  void theWatcherIsListeningAndReportsItInHealth() {
    assertThat(watcher.listening()).isTrue();
    assertThat(Http.get(uri("/actuator/health").toString()).body()).contains("\"consistencyWatcher\"");
  }
}
