package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Http;
import dev.tally.testing.TestInfrastructure;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of malformed request gets a 4xx problem, never a 5xx, and nothing reaches the log. */
class BadInputTest {

  @TempDir
  static Path state;

  static CommandApiTopics topics;
  static CommandApiInstance api;
  static String account;

  @BeforeAll
  static void start() {
    topics = CommandApiTopics.create(1, state);
    api = CommandApiInstance.start(topics, TestInfrastructure.kafkaBootstrapServers(), Map.of());
    account = AccountCommandsTest.open(api);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  static Stream<Arguments> malformed() {
    String deposit = "/accounts/ACCOUNT/deposits";
    return Stream.of(
        Arguments.of("broken JSON", "/accounts", "{\"owner\": \"alice\", ", "application/json", 400),
        Arguments.of("not an object", "/accounts", "[1, 2]", "application/json", 400),
        Arguments.of("a bare string", deposit, "\"100\"", "application/json", 400),
        Arguments.of("missing owner", "/accounts", "{\"currency\": \"EUR\"}", "application/json", 400),
        Arguments.of("missing currency", "/accounts", "{\"owner\": \"alice\"}", "application/json", 400),
        Arguments.of("unknown field", "/accounts", "{\"owner\": \"a\", \"currency\": \"EUR\", \"vip\": true}", "application/json", 400),
        Arguments.of("duplicate field", "/accounts", "{\"owner\": \"a\", \"owner\": \"b\", \"currency\": \"EUR\"}", "application/json", 400),
        Arguments.of("owner not a string", "/accounts", "{\"owner\": 42, \"currency\": \"EUR\"}", "application/json", 400),
        Arguments.of("owner blank", "/accounts", "{\"owner\": \"  \", \"currency\": \"EUR\"}", "application/json", 400),
        Arguments.of("owner too long", "/accounts", "{\"owner\": \"" + "x".repeat(201) + "\", \"currency\": \"EUR\"}", "application/json", 400),
        Arguments.of("currency too long", "/accounts", "{\"owner\": \"a\", \"currency\": \"EURO\"}", "application/json", 400),
        Arguments.of("currency lower case", "/accounts", "{\"owner\": \"a\", \"currency\": \"eur\"}", "application/json", 400),
        Arguments.of("missing amount", deposit, "{\"reference\": \"x\"}", "application/json", 400),
        Arguments.of("amount zero", deposit, "{\"amount\": 0}", "application/json", 400),
        Arguments.of("amount negative", deposit, "{\"amount\": -5}", "application/json", 400),
        Arguments.of("amount fractional", deposit, "{\"amount\": 10.5}", "application/json", 400),
        Arguments.of("amount as exponent", deposit, "{\"amount\": 1e3}", "application/json", 400),
        Arguments.of("amount as string", deposit, "{\"amount\": \"100\"}", "application/json", 400),
        Arguments.of("amount null", deposit, "{\"amount\": null}", "application/json", 400),
        Arguments.of("amount over the limit", deposit, "{\"amount\": 1000000000001}", "application/json", 400),
        Arguments.of("amount overflowing a long", deposit, "{\"amount\": 92233720368547758070}", "application/json", 400),
        Arguments.of("reference too long", deposit, "{\"amount\": 1, \"reference\": \"" + "r".repeat(501) + "\"}", "application/json", 400),
        Arguments.of("reference not a string", deposit, "{\"amount\": 1, \"reference\": 7}", "application/json", 400),
        Arguments.of("body over 64 KiB", deposit, "{\"amount\": 1, \"reference\": \"" + "r".repeat(70_000) + "\"}", "application/json", 413),
        Arguments.of("wrong content type", deposit, "{\"amount\": 1}", "text/plain", 415),
        Arguments.of("form content type", "/accounts", "owner=a&currency=EUR", "application/x-www-form-urlencoded", 415),
        Arguments.of("id not a UUID", "/accounts/not-a-uuid/deposits", "{\"amount\": 1}", "application/json", 400),
        Arguments.of("close with fields", "/accounts/ACCOUNT/close", "{\"force\": true}", "application/json", 400),
        Arguments.of("unknown path", "/accounts/ACCOUNT/interest", "{}", "application/json", 404));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void isRefusedWithAProblemAndAppendsNothing(String name, String path, String body, String contentType, int status) {
    long eventsBefore = EventLog.endOffset(topics.events());
    HttpResponse<String> response = Http.send(HttpRequest.newBuilder(
            URI.create(base() + path.replace("ACCOUNT", account)))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(response.body()).contains("\"status\":" + status).contains("\"type\":\"/problems/")
        .doesNotContain("Exception", "at dev.tally", "at org.");
    assertThat(EventLog.endOffset(topics.events())).isEqualTo(eventsBefore);
  }

  static Stream<Arguments> unstorableText() {
    String deposit = "/accounts/ACCOUNT/deposits";
    String withdrawal = "/accounts/ACCOUNT/withdrawals";
    return Stream.of(
        Arguments.of("/accounts", "{\"owner\": \"x\\u0000y\", \"currency\": \"EUR\"}", "owner", "U+0000"),
        Arguments.of("/accounts", "{\"owner\": \"x\\ud800y\", \"currency\": \"EUR\"}", "owner", "U+D800"),
        Arguments.of("/accounts", "{\"owner\": \"x\\udc00\", \"currency\": \"EUR\"}", "owner", "U+DC00"),
        Arguments.of("/accounts", "{\"owner\": \"Ada\\u001b[31m\", \"currency\": \"EUR\"}", "owner", "U+001B"),
        Arguments.of("/accounts", "{\"owner\": \"Ada\\nLovelace\", \"currency\": \"EUR\"}", "owner", "U+000A"),
        Arguments.of("/accounts", "{\"owner\": \"" + "\\ud83d\\ude00".repeat(201) + "\", \"currency\": \"EUR\"}",
            "owner", "at most 200"),
        Arguments.of(deposit, "{\"amount\": 5, \"reference\": \"a\\u0000b\"}", "reference", "U+0000"),
        Arguments.of(deposit, "{\"amount\": 5, \"reference\": \"a\\ud83d\"}", "reference", "U+D83D"),
        Arguments.of(deposit, "{\"amount\": 5, \"reference\": \"\\u009b2J\"}", "reference", "U+009B"),
        Arguments.of(withdrawal, "{\"amount\": 5, \"reference\": \"\\u0000\"}", "reference", "U+0000"),
        Arguments.of(withdrawal, "{\"amount\": 5, \"reference\": \"tab\\there\"}", "reference", "U+0009"));
  }

  /** Text that a projection could not store exactly, or that has no place in the field, is refused by name. */
  @ParameterizedTest(name = "{2}: {3}")
  @MethodSource("unstorableText")
  void textNoStoreKeepsExactlyIsRefusedNamingTheField(String path, String body, String field, String detail) {
    long eventsBefore = EventLog.endOffset(topics.events());
    HttpResponse<String> response = api.post(path.replace("ACCOUNT", account), body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(response.body()).contains("\"field\":\"" + field + "\"").contains(detail);
    assertThat(EventLog.endOffset(topics.events())).isEqualTo(eventsBefore);
  }

  static Stream<Arguments> badHeaders() {
    return Stream.of(
        Arguments.of("If-Match", "3"),
        Arguments.of("If-Match", "\"-1\""),
        Arguments.of("If-Match", "\"abc\""),
        Arguments.of("Idempotency-Key", "k".repeat(256)),
        Arguments.of("Idempotency-Key", "tab\tinside"),
        Arguments.of("X-Correlation-Id", "c".repeat(101)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("badHeaders")
  void aMalformedHeaderIsRefusedWithAProblem(String header, String value) {
    long eventsBefore = EventLog.endOffset(topics.events());
    HttpResponse<String> response = api.post("/accounts/" + account + "/deposits", "{\"amount\": 1}", header, value);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(response.body()).contains(header);
    assertThat(EventLog.endOffset(topics.events())).isEqualTo(eventsBefore);
  }

  private static String base() {
    return api.get("/actuator/health").uri().toString().replace("/actuator/health", "");
  }
}
