package dev.tally.query;

import static dev.tally.query.Answers.assertProblem;
import static dev.tally.query.Answers.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import dev.tally.testing.Http;
import dev.tally.testing.RawHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Bad input of every kind is a 4xx problem, never a 5xx, never a stack trace. */
class BadInputTest extends QueryApiTestBase {

  private static final UUID ACCOUNT = UUID.randomUUID();
  private static final UUID TRANSFER = UUID.randomUUID();

  @BeforeAll
  static void anAccountAndATransfer() {
    DB.account(ACCOUNT, "bad-input", 0, "OPEN", 1, Instant.parse("2026-01-01T00:00:00Z"));
    DB.transfer(TRANSFER, ACCOUNT, UUID.randomUUID(), 5, "PENDING", null);
  }

  static String base64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> badRequests() {
    String account = "/accounts/" + ACCOUNT;
    String history = account + "/transactions";
    String future = TestTokens.SIGNING.sign(TestTokens.position(ACCOUNT, 1, Instant.now().plus(Duration.ofMinutes(10))));
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
        Arguments.of("limit twice", history + "?limit=1&limit=2", null, 400, "invalid-query"),
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
        Arguments.of("token truncated", account, TestTokens.token(ACCOUNT, 1).substring(0, 20), 400,
            "invalid-consistency-token"),
        Arguments.of("token unsigned, of an earlier version", account, TestTokens.earlier("t1.", ACCOUNT, 1), 400,
            "invalid-consistency-token"),
        Arguments.of("token of the version before types", account, TestTokens.earlier("t2.current.", ACCOUNT, 1)
            + "." + "A".repeat(22), 400, "invalid-consistency-token"),
        Arguments.of("token a writer's unsigned position", account, TestTokens.position(ACCOUNT, 1, Instant.now()).encode(),
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
        Arguments.of("the error page asked for", HttpRequest.newBuilder().GET(), "/error", 404),
        Arguments.of("asks for HTML", HttpRequest.newBuilder().GET().header("Accept", "text/html"), "/accounts/nope", 400));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedByHttp")
  void isAProblemToo(String name, HttpRequest.Builder request, String path, int status) {
    HttpResponse<String> response = Http.send(request.uri(uri(path)).timeout(Duration.ofSeconds(30)).build());

    assertProblem(response, status);
  }

  /** One endpoint of the query API: its path, and the query it needs to answer 200. */
  record Endpoint(String name, String path, String query) {

    String target(String extraQuery) {
      String joined = query.isEmpty() ? extraQuery : extraQuery.isEmpty() ? query : query + "&" + extraQuery;
      return path + (joined.isEmpty() ? "" : "?" + joined);
    }

    boolean pages() {
      return name.equals("history") || name.equals("list");
    }

    /** This endpoint with its id (or owner) replaced by {@code raw}, as it goes on the wire. */
    String withId(String raw) {
      return switch (name) {
        case "account" -> "/accounts/" + raw;
        case "history" -> "/accounts/" + raw + "/transactions";
        case "transfer" -> "/transfers/" + raw;
        default -> "/accounts?owner=" + raw;
      };
    }
  }

  /** A request as it goes on the wire, and the status it must be answered with. */
  record Case(String name, String method, String target, List<String> headers, int status) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final List<String> MALFORMED_ENCODINGS = List.of("%", "%zz", "%G1", "%FF", "%C0%AF", "%ED%A0%80", "%E2%82");

  static List<Endpoint> endpoints() {
    return List.of(
        new Endpoint("account", "/accounts/" + ACCOUNT, ""),
        new Endpoint("history", "/accounts/" + ACCOUNT + "/transactions", ""),
        new Endpoint("list", "/accounts", "owner=bad-input"),
        new Endpoint("transfer", "/transfers/" + TRANSFER, ""));
  }

  /**
   * Every endpoint against the same table of encodings, parameters, cursors, headers, methods and
   * content negotiation. Each answer is the status written here: a 4xx problem, or the 2xx (or
   * 304) that docs/read-model.md promises. Never a 5xx.
   */
  static Stream<Case> everyEndpoint() {
    List<Case> cases = new ArrayList<>();
    String thousand = IntStream.range(0, 1000).mapToObj(i -> "p" + i + "=1").collect(Collectors.joining("&"));
    String hundred = IntStream.range(0, 99).mapToObj(i -> "p" + i + "=1").collect(Collectors.joining("&"));
    for (Endpoint endpoint : endpoints()) {
      String name = endpoint.name() + ": ";
      String plain = endpoint.target("");
      List<String> none = List.of();
      boolean list = endpoint.name().equals("list");
      cases.add(new Case(name + "as documented", "GET", plain, none, 200));

      // encodings: of the id (or owner), and of any parameter, name or value
      for (String bad : MALFORMED_ENCODINGS) {
        cases.add(new Case(name + "id " + bad, "GET", endpoint.withId(bad), none, 400));
        cases.add(new Case(name + "id a" + bad + "b", "GET", endpoint.withId("a" + bad + "b"), none, 400));
        cases.add(new Case(name + "parameter value " + bad, "GET", endpoint.target("x=" + bad), none, 400));
        cases.add(new Case(name + "parameter name " + bad, "GET", endpoint.target(bad + "=1"), none, 400));
      }
      cases.add(new Case(name + "id with NUL", "GET", endpoint.withId("a%00b"), none, 400));
      cases.add(new Case(name + "id with an encoded slash", "GET", endpoint.withId("a%2Fb"), none, list ? 200 : 400));
      cases.add(new Case(name + "id of well-formed non-ASCII", "GET", endpoint.withId("%E2%82%AC"), none, list ? 200 : 400));
      cases.add(new Case(name + "id in a query string of raw bytes", "GET", endpoint.withId("é"), none, 400));

      // parameters
      cases.add(new Case(name + "an unknown parameter is ignored", "GET", endpoint.target("unknown=1"), none, 200));
      cases.add(new Case(name + "a hundred parameters", "GET", endpoint.target(hundred), none, 200));
      cases.add(new Case(name + "a thousand parameters", "GET", endpoint.target(thousand), none, 400));
      cases.add(new Case(name + "a parameter twice", "GET", endpoint.target("x=1&x=2"), none, 400));
      cases.add(new Case(name + "owner twice", "GET", endpoint.target("owner=a&owner=b"), none, 400));
      cases.add(new Case(name + "a parameter without a value", "GET", endpoint.target("x"), none, 200));
      cases.add(new Case(name + "an empty query", "GET", plain + (plain.contains("?") ? "&" : "?"), none, 200));
      cases.add(new Case(name + "limit huge", "GET", endpoint.target("limit=99999999999999999999"), none,
          endpoint.pages() ? 400 : 200));
      cases.add(new Case(name + "a request line of 10 KiB", "GET", endpoint.target("x=" + "a".repeat(10_240)), none, 400));

      // cursors
      String tooEarly = base64("ac:-999999999999999999:" + ACCOUNT);
      cases.add(new Case(name + "list cursor of a time PostgreSQL cannot hold", "GET", endpoint.target("after=" + tooEarly),
          none, endpoint.pages() ? 400 : 200));
      cases.add(new Case(name + "list cursor just before the earliest time", "GET",
          endpoint.target("after=" + base64("ac:-210866803200000001:" + ACCOUNT)), none, endpoint.pages() ? 400 : 200));
      cases.add(new Case(name + "list cursor at the earliest time", "GET",
          endpoint.target("after=" + base64("ac:-210866803200000000:" + ACCOUNT)), none,
          endpoint.name().equals("history") ? 400 : 200));
      cases.add(new Case(name + "list cursor at the latest time", "GET",
          endpoint.target("after=" + base64("ac:999999999999999999:" + ACCOUNT)), none,
          endpoint.name().equals("history") ? 400 : 200));
      cases.add(new Case(name + "history cursor far ahead", "GET",
          endpoint.target("after=" + base64("tx:999999999999999999")), none, list ? 400 : 200));
      cases.add(new Case(name + "history cursor negative", "GET", endpoint.target("after=" + base64("tx:-1")), none,
          endpoint.pages() ? 400 : 200));
      cases.add(new Case(name + "cursor in standard base64", "GET", endpoint.target("after=dHg%2BMg"), none,
          endpoint.pages() ? 400 : 200));
      cases.add(new Case(name + "cursor empty", "GET", endpoint.target("after="), none, endpoint.pages() ? 400 : 200));

      // headers
      String unreachable = TestTokens.SIGNING.sign(TestTokens.position(ACCOUNT, Long.MAX_VALUE, Instant.now()));
      cases.add(new Case(name + "token as issued", "GET", plain, List.of("Consistency-Token: " + TestTokens.token(ACCOUNT, 1)),
          200));
      cases.add(new Case(name + "token garbage", "GET", plain, List.of("Consistency-Token: garbage"), 400));
      cases.add(new Case(name + "token unsigned", "GET", plain,
          List.of("Consistency-Token: " + TestTokens.position(ACCOUNT, Long.MAX_VALUE, Instant.now()).encode()), 400));
      cases.add(new Case(name + "token with a made-up signature", "GET", plain,
          List.of("Consistency-Token: " + unreachable.substring(0, unreachable.lastIndexOf('.') + 1) + "A".repeat(22)), 400));
      cases.add(new Case(name + "token of an unknown key", "GET", plain, List.of("Consistency-Token: "
          + unreachable.replace("t3.current.", "t3.other.")), 400));
      cases.add(new Case(name + "token empty", "GET", plain, List.of("Consistency-Token: "), 400));
      cases.add(new Case(name + "token of raw bytes", "GET", plain, List.of("Consistency-Token: t1.éÿ"), 400));
      cases.add(new Case(name + "token of 4 KiB", "GET", plain, List.of("Consistency-Token: t1." + "A".repeat(4096)), 400));
      cases.add(new Case(name + "token with a position of 4 KiB", "GET", plain,
          List.of("Consistency-Token: t3.current." + "A".repeat(4096) + "." + "A".repeat(22)), 400));
      cases.add(new Case(name + "token twice", "GET", plain, List.of("Consistency-Token: " + TestTokens.token(ACCOUNT, 1),
          "Consistency-Token: " + TestTokens.token(ACCOUNT, 1)), 400));
      cases.add(new Case(name + "If-None-Match garbage", "GET", plain, List.of("If-None-Match: garbage"), 200));
      cases.add(new Case(name + "If-None-Match of another version", "GET", plain, List.of("If-None-Match: \"2\""), 200));
      cases.add(new Case(name + "If-None-Match of this version", "GET", plain, List.of("If-None-Match: \"1\""),
          endpoint.name().equals("account") ? 304 : 200));
      cases.add(new Case(name + "If-None-Match any", "GET", plain, List.of("If-None-Match: *"), 200));
      cases.add(new Case(name + "If-Modified-Since garbage", "GET", plain, List.of("If-Modified-Since: yesterday"), 200));
      cases.add(new Case(name + "Accept JSON", "GET", plain, List.of("Accept: application/json"), 200));
      cases.add(new Case(name + "Accept anything", "GET", plain, List.of("Accept: */*"), 200));
      cases.add(new Case(name + "Accept XML", "GET", plain, List.of("Accept: application/xml"), 406));
      cases.add(new Case(name + "Accept HTML", "GET", plain, List.of("Accept: text/html"), 406));
      cases.add(new Case(name + "Accept garbage", "GET", plain, List.of("Accept: ;;garbage//"), 406));
      cases.add(new Case(name + "Accept-Charset garbage", "GET", plain, List.of("Accept-Charset: ÿ;;"), 200));
      for (String type : List.of("multipart/form-data; boundary=x", "multipart/form-data", "*/*", "application/*",
          "application/x-www-form-urlencoded", "garbage", "text/plain; charset=nonsense")) {
        cases.add(new Case(name + "Content-Type " + type, "GET", plain, List.of("Content-Type: " + type), 200));
      }

      // methods
      for (String method : List.of("POST", "PUT", "PATCH", "DELETE", "TRACE", "FOO")) {
        cases.add(new Case(name + method, method, plain, none, 405));
      }
      cases.add(new Case(name + "HEAD", "HEAD", plain, none, 200));
      cases.add(new Case(name + "OPTIONS", "OPTIONS", plain, none, 200));

      // paths
      cases.add(new Case(name + "a trailing slash", "GET", endpoint.path() + "/", none, 404));
      cases.add(new Case(name + "a path parameter is ignored", "GET", endpoint.path() + ";x=1", none, list ? 400 : 200));
      cases.add(new Case(name + "a dot-dot segment", "GET", endpoint.path() + "/%2e%2e/%2e%2e/x", none, list ? 400 : 404));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyEndpoint")
  void isAnsweredAsDocumented(Case request) {
    List<RawHttp.Header> headers = request.headers().stream().map(line -> line.split(":", 2))
        .map(header -> new RawHttp.Header(header[0], header[1].strip())).toList();
    RawHttp.Response answer = RawHttp.send("http://localhost:" + port, request.method(), request.target(), headers,
        new byte[0]);

    assertThat(answer.status()).as(answer.toString()).isEqualTo(request.status());
    if (answer.status() >= 400) {
      assertProblem(answer.status(), answer.header("Content-Type").orElse(null), answer.text(), request.status());
    } else if (request.method().equals("HEAD") || answer.status() == 304) {
      assertThat(answer.body()).isEmpty();
    } else if (request.method().equals("OPTIONS")) {
      assertThat(answer.header("Allow")).hasValueSatisfying(allow -> assertThat(allow).contains("GET"));
    } else {
      assertThat(answer.header("Content-Type")).as(answer.toString()).hasValueSatisfying(
          type -> assertThat(type).startsWith("application/json"));
      assertThat(JSON.readTree(answer.text()).isObject()).isTrue();
    }
  }
}
