package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.ConsistencyToken;
import dev.tally.schemas.ConsistencyTokenKeys;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import dev.tally.testing.TestInfrastructure;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command API's contract and write-side guarantees, against a real broker. */
class AccountCommandsTest {

  @TempDir
  static Path state;

  static CommandApiTopics topics;
  static CommandApiInstance api;

  @BeforeAll
  static void start() {
    topics = CommandApiTopics.create(3, state);
    api = CommandApiInstance.start(topics, TestInfrastructure.kafkaBootstrapServers(), Map.of());
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  static String open(CommandApiInstance api) {
    HttpResponse<String> response = api.post("/accounts", """
        {"owner": "alice", "currency": "EUR"}""");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return field(response.body(), "accountId");
  }

  static String field(String json, String name) {
    Matcher matcher = Pattern.compile("\"" + name + "\":\"?([^\",}]*)\"?").matcher(json);
    assertThat(matcher.find()).as("%s in %s", name, json).isTrue();
    return matcher.group(1);
  }

  @Test
  void openDepositWithdrawCloseFollowTheContract() {
    HttpResponse<String> opened = api.post("/accounts", """
        {"owner": "alice", "currency": "EUR"}""");
    assertThat(opened.statusCode()).isEqualTo(201);
    String id = field(opened.body(), "accountId");
    assertThat(opened.headers().firstValue("Location")).contains("/accounts/" + id);
    assertThat(opened.headers().firstValue("ETag")).contains("\"1\"");
    assertThat(field(opened.body(), "version")).isEqualTo("1");
    ConsistencyToken token = ConsistencyTokenKeys.parse(api.property("tally.tokens.keys"))
        .verify(field(opened.body(), "consistencyToken"));
    assertThat(token.aggregateId()).hasToString(id);
    assertThat(token.version()).isEqualTo(1);

    HttpResponse<String> deposited = api.post("/accounts/" + id + "/deposits", """
        {"amount": 1000, "reference": "salary"}""");
    assertThat(deposited.statusCode()).isEqualTo(200);
    assertThat(deposited.headers().firstValue("ETag")).contains("\"2\"");
    assertThat(field(deposited.body(), "accountId")).isEqualTo(id);

    HttpResponse<String> withdrawn = api.post("/accounts/" + id + "/withdrawals", """
        {"amount": 1000}""");
    assertThat(withdrawn.statusCode()).isEqualTo(200);
    assertThat(field(withdrawn.body(), "version")).isEqualTo("3");

    HttpResponse<String> closed = api.post("/accounts/" + id + "/close", null);
    assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
    assertThat(field(closed.body(), "version")).isEqualTo("4");

    List<SpecificRecord> events = EventLog.of(topics.events(), id);
    assertThat(events).extracting(e -> e.getSchema().getName())
        .containsExactly("AccountOpened", "MoneyDeposited", "MoneyWithdrawn", "AccountClosed");
    assertThat(events).extracting(e -> EventLog.metadata(e).getAggregateVersion()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(((AccountOpened) events.get(0)).getOwner()).isEqualTo("alice");
    assertThat(((MoneyDeposited) events.get(1)).getBalanceAfter()).isEqualTo(1000);
    assertThat(((MoneyWithdrawn) events.get(2)).getBalanceAfter()).isZero();
  }

  @Test
  void anyUnicodeTextWithinTheLimitsIsAcceptedAndLoggedExactly() {
    // 200 characters, 400 UTF-16 chars: lengths count code points, as the OpenAPI maxLength does.
    String owner = "Zo\u00eb \u674e \u0645\u0631\u064a\u0645 \ud83d\udc69\u200d\ud83d\udcbb e\u0301 ";
    owner = owner + "\ud83d\ude00".repeat(200 - owner.codePointCount(0, owner.length()));
    String reference = "\u202bfacture 42\u202c \ud834\udd1e\u00a0\ufeff";
    HttpResponse<String> opened = api.post("/accounts", "{\"owner\": \"" + owner + "\", \"currency\": \"EUR\"}");
    assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
    String id = field(opened.body(), "accountId");
    HttpResponse<String> deposited = api.post("/accounts/" + id + "/deposits",
        "{\"amount\": 5, \"reference\": \"" + reference + "\"}");
    assertThat(deposited.statusCode()).as(deposited.body()).isEqualTo(200);

    List<SpecificRecord> events = EventLog.of(topics.events(), id);
    assertThat(((AccountOpened) events.get(0)).getOwner()).isEqualTo(owner);
    assertThat(((MoneyDeposited) events.get(1)).getReference()).isEqualTo(reference);
  }

  @Test
  void everyRefusalOfTheContractAppendsNothing() {
    String id = open(api);
    api.post("/accounts/" + id + "/deposits", """
        {"amount": 100}""");

    HttpResponse<String> insufficient = api.post("/accounts/" + id + "/withdrawals", """
        {"amount": 101}""");
    assertThat(insufficient.statusCode()).isEqualTo(409);
    assertThat(insufficient.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(field(insufficient.body(), "type")).endsWith("insufficient-funds");

    HttpResponse<String> notZero = api.post("/accounts/" + id + "/close", null);
    assertThat(notZero.statusCode()).isEqualTo(409);
    assertThat(field(notZero.body(), "type")).endsWith("balance-not-zero");

    HttpResponse<String> unknown = api.post("/accounts/" + UUID.randomUUID() + "/deposits", """
        {"amount": 100}""");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(field(unknown.body(), "type")).endsWith("account-not-found");

    HttpResponse<String> badCurrency = api.post("/accounts", """
        {"owner": "bob", "currency": "XYZ"}""");
    assertThat(badCurrency.statusCode()).isEqualTo(400);

    assertThat(EventLog.of(topics.events(), id)).hasSize(2);

    api.post("/accounts/" + id + "/withdrawals", """
        {"amount": 100}""");
    assertThat(api.post("/accounts/" + id + "/close", null).statusCode()).isEqualTo(200);
    HttpResponse<String> closed = api.post("/accounts/" + id + "/deposits", """
        {"amount": 100}""");
    assertThat(closed.statusCode()).isEqualTo(409);
    assertThat(field(closed.body(), "type")).endsWith("account-closed");
    assertThat(EventLog.of(topics.events(), id)).hasSize(4);
  }

  @Test
  void fiftyConcurrentWithdrawalsOfTenFromAHundredLetExactlyTenThrough() throws Exception {
    String id = open(api);
    assertThat(api.post("/accounts/" + id + "/deposits", """
        {"amount": 100}""").statusCode()).isEqualTo(200);

    List<Callable<HttpResponse<String>>> withdrawals = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      withdrawals.add(() -> api.post("/accounts/" + id + "/withdrawals", """
          {"amount": 10, "reference": "race"}"""));
    }
    List<Integer> statuses = new ArrayList<>();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Future<HttpResponse<String>> response : clients.invokeAll(withdrawals)) {
        statuses.add(response.get().statusCode());
      }
    }
    assertThat(statuses).filteredOn(s -> s == 200).hasSize(10);
    assertThat(statuses).filteredOn(s -> s == 409).hasSize(40);

    List<SpecificRecord> withdrawn = EventLog.of(topics.events(), id).stream()
        .filter(MoneyWithdrawn.class::isInstance).toList();
    assertThat(withdrawn).hasSize(10);
    assertThat(withdrawn).extracting(e -> EventLog.metadata(e).getAggregateVersion())
        .containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
    assertThat(((MoneyWithdrawn) withdrawn.getLast()).getBalanceAfter()).isZero();
  }

  @Test
  void aStaleIfMatchGets412AndAppendsNothing() {
    String id = open(api);
    api.post("/accounts/" + id + "/deposits", """
        {"amount": 100}""");

    HttpResponse<String> stale = api.post("/accounts/" + id + "/withdrawals", """
        {"amount": 10}""", "If-Match", "\"1\"");
    assertThat(stale.statusCode()).isEqualTo(412);
    assertThat(field(stale.body(), "type")).endsWith("version-mismatch");
    assertThat(EventLog.of(topics.events(), id)).hasSize(2);

    HttpResponse<String> current = api.post("/accounts/" + id + "/withdrawals", """
        {"amount": 10}""", "If-Match", "\"2\"");
    assertThat(current.statusCode()).isEqualTo(200);
    assertThat(current.headers().firstValue("ETag")).contains("\"3\"");
  }

  @Test
  void aRepeatedIdempotencyKeyReturnsTheFirstResponseAndAppendsNothing() {
    String id = open(api);
    String key = UUID.randomUUID().toString();
    HttpResponse<String> first = api.post("/accounts/" + id + "/deposits", """
        {"amount": 250, "reference": "once"}""", "Idempotency-Key", key);
    HttpResponse<String> again = api.post("/accounts/" + id + "/deposits", """
        {"amount": 250, "reference": "once"}""", "Idempotency-Key", key);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(again.headers().firstValue("ETag")).isEqualTo(first.headers().firstValue("ETag"));
    assertThat(EventLog.of(topics.events(), id)).hasSize(2);

    HttpResponse<String> otherBody = api.post("/accounts/" + id + "/deposits", """
        {"amount": 999, "reference": "once"}""", "Idempotency-Key", key);
    assertThat(otherBody.statusCode()).isEqualTo(422);
    assertThat(EventLog.of(topics.events(), id)).hasSize(2);
  }

  @Test
  void aRepeatedRefusalIsTheSameRefusal() {
    String id = open(api);
    String key = "refused-" + UUID.randomUUID();
    HttpResponse<String> first = api.post("/accounts/" + id + "/withdrawals", """
        {"amount": 5}""", "Idempotency-Key", key);
    api.post("/accounts/" + id + "/deposits", """
        {"amount": 100}""");
    HttpResponse<String> again = api.post("/accounts/" + id + "/withdrawals", """
        {"amount": 5}""", "Idempotency-Key", key);
    assertThat(first.statusCode()).isEqualTo(409);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(EventLog.of(topics.events(), id)).hasSize(2);
  }

  @Test
  void openingTwiceWithOneIdempotencyKeyOpensOneAccount() {
    String key = "open-" + UUID.randomUUID();
    HttpResponse<String> first = api.post("/accounts", """
        {"owner": "carol", "currency": "USD"}""", "Idempotency-Key", key);
    HttpResponse<String> again = api.post("/accounts", """
        {"owner": "carol", "currency": "USD"}""", "Idempotency-Key", key);
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(again.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
    assertThat(EventLog.of(topics.events(), field(first.body(), "accountId"))).hasSize(1);

    HttpResponse<String> otherOwner = api.post("/accounts", """
        {"owner": "dave", "currency": "USD"}""", "Idempotency-Key", key);
    assertThat(otherOwner.statusCode()).isEqualTo(422);
  }

  @Test
  void metricsShowLatencyAndOutcomes() {
    String id = open(api);
    api.post("/accounts/" + id + "/withdrawals", """
        {"amount": 5}""");
    String metrics = api.get("/actuator/prometheus").body();
    // Counted in the histogram (not timed: a busy machine may take any time).
    assertThat(metrics).containsPattern("tally_command_latency_seconds_bucket\\{outcome=\"accepted\",type=\"account.open\",le=\"\\+Inf\"} [1-9]");
    assertThat(metrics).containsPattern("tally_command_outcomes_total\\{outcome=\"accepted\",reason=\"\",type=\"account.open\"}");
    assertThat(metrics).containsPattern(
        "tally_command_outcomes_total\\{outcome=\"rejected\",reason=\"insufficient-funds\",type=\"account.withdraw\"}");
  }
}
