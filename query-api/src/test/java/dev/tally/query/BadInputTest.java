package dev.tally.query;

import static dev.tally.query.Answers.JSON;
import static dev.tally.query.Answers.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.ConsistencyToken;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.stream.Stream;
import java.net.Socket;
import org.junit.jupiter.params.provider.ValueSource;
import dev.tally.testing.Http;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Bad input of every kind is a 4xx problem, never a 5xx, never a stack trace. */
class BadInputTest extends QueryApiTestBase {

  private static final UUID ACCOUNT = UUID.randomUUID();

  @BeforeAll
  static void anAccount() {
    DB.account(ACCOUNT, "bad-input", 0, "OPEN", 1, Instant.parse("2026-01-01T00:00:00Z"));
  }

  static String base64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> badRequests() {
    String account = "/accounts/" + ACCOUNT;
    String history = account + "/transactions";
    String future = new ConsistencyToken(ACCOUNT, 1, Instant.now().plus(Duration.ofMinutes(10))).encode();
    return Stream.of(
        Arguments.of("id not a UUID", "/accounts/not-a-uuid", null, 400, "invalid-id"),
        Arguments.of("id a lenient non-canonical UUID", "/accounts/1-1-1-1-1", null, 400, "invalid-id"),
        Arguments.of("id too long", "/accounts/" + ACCOUNT + "0", null, 400, "invalid-id"),
        Arguments.of("history of an id not a UUID", "/accounts/zzz/transactions", null, 400, "invalid-id"),
        Arguments.of("transfer id not a UUID", "/transfers/42", null, 400, "invalid-id"),
        Arguments.of("limit zero", history + "?limit=0", null, 400, "invalid-limit"),
        Arguments.of("limit negative", history + "?limit=-1", null, 400, "invalid-limit"),
        Arguments.of("limit above the maximum", history + "?limit=201", null, 400, "invalid-limit"),
        Arguments.of("limit huge", history + "?limit=99999999999999999999", null, 400, "invalid-limit"),
        Arguments.of("limit not a number", history + "?limit=ten", null, 400, "invalid-limit"),
        Arguments.of("limit a fraction", history + "?limit=1.5", null, 400, "invalid-limit"),
        Arguments.of("limit empty", history + "?limit=", null, 400, "invalid-limit"),
        Arguments.of("limit twice", history + "?limit=1&limit=2", null, 400, "invalid-limit"),
        Arguments.of("list limit zero", "/accounts?owner=x&limit=0", null, 400, "invalid-limit"),
        Arguments.of("cursor garbage", history + "?after=%21%21%21", null, 400, "invalid-cursor"),
        Arguments.of("cursor not base64 of a cursor", history + "?after=" + base64("hello"), null, 400, "invalid-cursor"),
        Arguments.of("cursor with a non-number", history + "?after=" + base64("tx:abc"), null, 400, "invalid-cursor"),
        Arguments.of("cursor overflowing", history + "?after=" + base64("tx:99999999999999999999"), null, 400, "invalid-cursor"),
        Arguments.of("account cursor on history", history + "?after=" + base64("ac:1:" + ACCOUNT), null, 400, "invalid-cursor"),
        Arguments.of("history cursor on a list", "/accounts?owner=x&after=" + base64("tx:5"), null, 400, "invalid-cursor"),
        Arguments.of("list cursor with a bad id", "/accounts?owner=x&after=" + base64("ac:1:nope"), null, 400, "invalid-cursor"),
        Arguments.of("list without owner", "/accounts", null, 400, "invalid-owner"),
        Arguments.of("list with a blank owner", "/accounts?owner=%20", null, 400, "invalid-owner"),
        Arguments.of("token garbage", account, "garbage", 400, "invalid-consistency-token"),
        Arguments.of("token prefix only", account, "t1.", 400, "invalid-consistency-token"),
        Arguments.of("token truncated", account, new ConsistencyToken(ACCOUNT, 1, Instant.now()).encode().substring(0, 20),
            400, "invalid-consistency-token"),
        Arguments.of("token from the future", account, future, 400, "invalid-consistency-token"),
        Arguments.of("token from the future on a list", "/accounts?owner=x", future, 400, "invalid-consistency-token"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void isAClientErrorProblem(String name, String pathAndQuery, String token, int status, String type) {
    HttpResponse<String> response = token == null ? get(pathAndQuery) : get(pathAndQuery, "Consistency-Token", token);

    JsonNode problem = assertProblem(response, status);
    assertThat(problem.get("type").asString()).isEqualTo("/problems/" + type);
    assertThat(problem.get("errors").get(0).get("field").asString()).isNotBlank();
  }

  static Stream<Arguments> refusedByHttp() {
    return Stream.of(
        Arguments.of("wrong method", HttpRequest.newBuilder().method("POST", HttpRequest.BodyPublishers.ofString("{}")),
            "/accounts/" + ACCOUNT, 405),
        Arguments.of("delete", HttpRequest.newBuilder().DELETE(), "/accounts/" + ACCOUNT, 405),
        Arguments.of("unknown path", HttpRequest.newBuilder().GET(), "/accounts/" + ACCOUNT + "/nothing", 404),
        Arguments.of("asks for HTML", HttpRequest.newBuilder().GET().header("Accept", "text/html"), "/accounts/nope", 400));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedByHttp")
  void isAProblemToo(String name, HttpRequest.Builder request, String path, int status) {
    HttpResponse<String> response = Http.send(request.uri(uri(path)).timeout(Duration.ofSeconds(30)).build());

    assertProblem(response, status);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/accounts/%zz", "/accounts/%", "/accounts/a%00b", "/accounts/" + "x" + "?limit=%G1"})
  void aRequestLineNoClientWouldSendIsAClientError(String rawTarget) throws Exception {
    try (Socket socket = new Socket("localhost", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + rawTarget + " HTTP/1.0\r\nHost: localhost\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      assertThat(status).as(answer).isBetween(400, 499);
      String head = answer.substring(0, answer.indexOf("\r\n\r\n"));
      String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      assertThat(head).containsIgnoringCase("Content-Type: application/problem+json");
      JsonNode problem = JSON.readTree(body);
      assertThat(problem.get("status").asInt()).isEqualTo(status);
      assertThat(problem.get("type").asString()).startsWith("/problems/");
      assertThat(problem.hasNonNull("title") && problem.hasNonNull("detail")).isTrue();
      assertThat(body).doesNotContain("Exception", "\tat ", "dev.tally.");
    }
  }
}
