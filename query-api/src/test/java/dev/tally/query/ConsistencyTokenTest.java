package dev.tally.query;

import static dev.tally.query.Answers.assertProblem;
import static dev.tally.query.Answers.json;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.tally.query.TestTokens.token;
import static org.awaitility.Awaitility.await;

import dev.tally.query.consistency.ConsistencyWatcher;
import dev.tally.schemas.ConsistencyToken;
import dev.tally.schemas.ConsistencyTokenKeys;
import io.micrometer.core.instrument.MeterRegistry;
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

  @Autowired
  MeterRegistry meters;

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
    DB.execute("UPDATE projected_versions SET version = 2 FROM accounts"
        + " WHERE projected_versions.aggregate_id = accounts.account_id AND accounts.owner = 'gina'");
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
    String skewed = TestTokens.SIGNING.sign(TestTokens.position(id, 1, Instant.now().plusSeconds(20)));

    assertThat(get("/accounts/" + id, "Consistency-Token", skewed).statusCode()).isEqualTo(200);
  }

  @Test
  void garbageAndFutureTokensAreRefusedWithoutWaiting() {
    UUID id = UUID.randomUUID();
    DB.account(id, "jane", 0, "OPEN", 1, OPENED);
    String future = TestTokens.SIGNING.sign(TestTokens.position(id, 1, Instant.now().plus(Duration.ofHours(1))));

    for (String token : List.of("garbage", future)) {
      long started = System.nanoTime();
      assertProblem(get("/accounts/" + id, "Consistency-Token", token), 400);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WAIT);
    }
  }

  /**
   * Tokens nobody issued, for a version the account will never reach: unsigned (as every token was
   * before signing), with a made-up signature, and signed with a key the service does not list.
   * Each would hold a request thread for the whole wait if it were believed; 250 at once are more
   * than the server has threads. None of them may wait at all, and reads around them are answered.
   */
  @Test
  void forgedTokensAreRefusedAtOnceWhileOrdinaryReadsAllSucceed() throws Exception {
    UUID id = UUID.randomUUID();
    DB.account(id, "kate", 0, "OPEN", 1, OPENED);
    String signed = token(id, 1);
    ConsistencyTokenKeys unknown = ConsistencyTokenKeys.parse("current:" + TestTokens.secret());
    double waitsBefore = waits("reached") + waits("timed-out") + waits("refused");
    double coveredBefore = waits("covered");
    List<CompletableFuture<HttpResponse<String>>> forged = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> ordinary = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      ConsistencyToken unreachable = TestTokens.position(id, Long.MAX_VALUE - i, Instant.now());
      String withMadeUpSignature = TestTokens.SIGNING.sign(unreachable);
      String token = switch (i % 3) {
        case 0 -> unreachable.encode();
        case 1 -> withMadeUpSignature.substring(0, withMadeUpSignature.lastIndexOf('.') + 1) + "A".repeat(22);
        default -> unknown.sign(unreachable);
      };
      forged.add(getAsync("/accounts/" + id, token));
      if (i % 5 == 0) {
        ordinary.add(CLIENT.sendAsync(HttpRequest.newBuilder(uri("/accounts/" + id)).timeout(Duration.ofSeconds(30))
            .GET().build(), HttpResponse.BodyHandlers.ofString()));
        ordinary.add(getAsync("/accounts/" + id, signed));
      }
    }

    for (CompletableFuture<HttpResponse<String>> response : forged) {
      var problem = assertProblem(response.get(60, TimeUnit.SECONDS), 400);
      assertThat(problem.get("type").asString()).isEqualTo("/problems/invalid-consistency-token");
    }
    for (CompletableFuture<HttpResponse<String>> response : ordinary) {
      HttpResponse<String> answer = response.get(60, TimeUnit.SECONDS);
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(json(answer).get("accountId").asString()).isEqualTo(id.toString());
    }
    assertThat(waits("reached") + waits("timed-out") + waits("refused")).as("requests that waited").isEqualTo(waitsBefore);
    assertThat(waits("covered") - coveredBefore).as("reads with the real token").isEqualTo(ordinary.size() / 2);
  }

  /** Rotation: a token signed with a key that is still listed is honoured; with one no longer listed, refused. */
  @Test
  void aTokenSignedWithAnEarlierKeyCountsForAsLongAsTheKeyIsListed() {
    UUID id = UUID.randomUUID();
    DB.account(id, "lars", 0, "OPEN", 2, OPENED);
    ConsistencyToken position = TestTokens.position(id, 2, Instant.now());
    String fromPreviousKey = ConsistencyTokenKeys.parse(TestTokens.PREVIOUS_KEY).sign(position);
    String fromRetiredKey = ConsistencyTokenKeys.parse("retired:" + TestTokens.secret()).sign(position);

    assertThat(fromPreviousKey).startsWith("t3.previous.");
    assertThat(get("/accounts/" + id, "Consistency-Token", fromPreviousKey).statusCode()).isEqualTo(200);
    var problem = assertProblem(get("/accounts/" + id, "Consistency-Token", fromRetiredKey), 400);
    assertThat(problem.get("detail").asString()).contains("a key that is not accepted (any more): retired");
  }

  @Test
  void anUnsignedTokenOfTheEarlierVersionIsRefusedSayingWhatToDo() {
    UUID id = UUID.randomUUID();
    DB.account(id, "mona", 0, "OPEN", 1, OPENED);

    var problem = assertProblem(get("/accounts/" + id, "Consistency-Token", TestTokens.earlier("t1.", id, 1)), 400);

    assertThat(problem.get("type").asString()).isEqualTo("/problems/invalid-consistency-token");
    assertThat(problem.get("detail").asString()).contains("unsigned token of an earlier version (t1.)")
        .contains("use the token of a newer command answer");
  }

  /** A token issued before tokens named the aggregate type: refused, without waiting, saying what to do. */
  @Test
  void aTokenOfTheVersionBeforeTypesIsRefusedSayingWhatToDo() {
    UUID id = UUID.randomUUID();
    DB.account(id, "nina", 0, "OPEN", 1, OPENED);
    double waitsBefore = waits("covered") + waits("reached") + waits("timed-out") + waits("refused");

    var problem = assertProblem(get("/accounts/" + id, "Consistency-Token",
        TestTokens.earlier("t2.current.", id, 1) + "." + "A".repeat(22)), 400);

    assertThat(problem.get("type").asString()).isEqualTo("/problems/invalid-consistency-token");
    assertThat(problem.get("detail").asString()).contains("earlier version (t2.), issued before an upgrade")
        .contains("use the token of a newer command answer, or read without one");
    assertThat(waits("covered") + waits("reached") + waits("timed-out") + waits("refused")).isEqualTo(waitsBefore);
  }

  /**
   * Ids are unique within a type only: the account's version 5 of an id never satisfies a token of
   * another type naming the same id, which waits for its own type's projection.
   */
  @Test
  void aTokenOfOneTypeIsNeverSatisfiedByAnotherTypesVersionOfTheSameId() throws Exception {
    DB.execute("INSERT INTO projection_sources (projection, aggregate_type) VALUES ('toys', 'toy') ON CONFLICT DO NOTHING");
    UUID id = UUID.randomUUID();
    DB.account(id, "olaf", 0, "OPEN", 5, OPENED);
    String toy = TestTokens.SIGNING.sign(new ConsistencyToken("toy", id.toString(), 1, Instant.now()));

    assertThat(get("/accounts/" + id, "Consistency-Token", token(id, 5)).statusCode()).isEqualTo(200);
    var behind = assertProblem(get("/accounts/" + id, "Consistency-Token", toy), 503);
    assertThat(behind.get("type").asString()).isEqualTo("/problems/read-model-behind");
    assertThat(behind.get("detail").asString()).contains("version 1 of toy " + id);

    CompletableFuture<HttpResponse<String>> response = getAsync("/accounts/" + id, toy);
    await().atMost(WAIT).until(() -> watcher.pendingWaits() >= 1);
    DB.execute("INSERT INTO projected_versions (projection, aggregate_id, version) VALUES ('toys', ?, 1)", id);
    DB.execute("NOTIFY tally_projection");
    assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  /**
   * A token may name any id; one the read model's id column cannot hold (not a UUID, today) can never
   * be covered, and is answered like any token the read model does not reach: 503 after the bound.
   */
  @Test
  void aTokenForAnIdTheReadModelCannotHoldIsA503NotAServerError() {
    UUID id = UUID.randomUUID();
    DB.account(id, "pia", 0, "OPEN", 1, OPENED);
    String token = TestTokens.SIGNING.sign(new ConsistencyToken("account", "order/42 \"x\"", 1, Instant.now()));

    var problem = assertProblem(get("/accounts/" + id, "Consistency-Token", token), 503);

    assertThat(problem.get("type").asString()).isEqualTo("/problems/read-model-behind");
    assertThat(watcher.pendingWaits()).isZero();
  }

  private double waits(String outcome) {
    return meters.get("tally.query.consistency.waits").tag("outcome", outcome).counter().count();
  }

  @Test
  void theWatcherIsListeningAndReportsItInHealth() {
    assertThat(watcher.listening()).isTrue();
    assertThat(Http.get(uri("/actuator/health").toString()).body()).contains("\"consistencyWatcher\"");
  }
}
