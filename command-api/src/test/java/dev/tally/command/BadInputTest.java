package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.RawHttp;
import dev.tally.testing.RawHttp.Header;
import dev.tally.testing.TestInfrastructure;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of malformed request, on every endpoint of the command API, gets a 4xx problem
 * ({@code application/problem+json}), never a 5xx, and nothing reaches the log. Requests are sent
 * byte for byte ({@link RawHttp}), so that the table can hold what ordinary clients refuse to send.
 */
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

  /**
   * The endpoints, each with a well-formed body that would succeed (a close needs none: the test
   * account's balance is zero, so anything that slipped through would close it, and show).
   *
   * @param text a body with the endpoint's free-text field set to a JSON fragment (close has none)
   */
  enum Endpoint {
    OPEN("/accounts", "{\"owner\": \"alice\", \"currency\": \"EUR\"}", "{\"owner\": %s, \"currency\": \"EUR\"}"),
    DEPOSIT("/accounts/{id}/deposits", "{\"amount\": 1}", "{\"amount\": 1, \"reference\": %s}"),
    WITHDRAW("/accounts/{id}/withdrawals", "{\"amount\": 1}", "{\"amount\": 1, \"reference\": %s}"),
    CLOSE("/accounts/{id}/close", "{}", "{\"note\": %s}");

    final String path;
    final String body;
    final String text;

    Endpoint(String path, String body, String text) {
      this.path = path;
      this.body = body;
      this.text = text;
    }

    boolean hasId() {
      return path.contains("{id}");
    }

    String path(String id) {
      return path.replace("{id}", id);
    }

    /** A body with {@code amount} (or an unknown field, where there is none) set to a JSON fragment. */
    String withAmount(String fragment) {
      return this == OPEN ? "{\"owner\": \"a\", \"currency\": \"EUR\", \"amount\": " + fragment + "}"
          : "{\"amount\": " + fragment + "}";
    }
  }

  /**
   * One malformed request: how it differs from a good one, the 4xx it must get, and what the
   * problem must name (empty: nothing in particular).
   */
  record Probe(String what, String method, String target, List<Header> headers, byte[] body, int status, String names) {

    static Probe of(Endpoint endpoint, String what, int status) {
      return new Probe(what, "POST", endpoint.path(account), List.of(json()), utf8(endpoint.body), status, "");
    }

    Probe target(String newTarget) {
      return new Probe(what, method, newTarget, headers, body, status, names);
    }

    Probe method(String newMethod) {
      return new Probe(what, newMethod, target, headers, body, status, names);
    }

    Probe body(byte[] newBody) {
      return new Probe(what, method, target, headers, newBody, status, names);
    }

    Probe naming(String field) {
      return new Probe(what, method, target, headers, body, status, field);
    }

    Probe body(String newBody) {
      return body(utf8(newBody));
    }

    Probe onlyHeaders(Header... newHeaders) {
      return new Probe(what, method, target, List.of(newHeaders), body, status, names);
    }

    /** The JSON content type, plus these headers. */
    Probe with(Header... more) {
      List<Header> all = new ArrayList<>(List.of(json()));
      all.addAll(Arrays.asList(more));
      return new Probe(what, method, target, all, body, status, names);
    }

    @Override
    public String toString() {
      return what;
    }
  }

  static Stream<Arguments> malformedOnEveryEndpoint() {
    return Stream.of(Endpoint.values())
        .flatMap(endpoint -> probes(endpoint).map(probe -> Arguments.of(endpoint, probe)));
  }

  private static Stream<Probe> probes(Endpoint endpoint) {
    List<Probe> probes = new ArrayList<>();
    // Content types: only application/json (UTF-8) is read.
    probes.add(Probe.of(endpoint, "no content type", 415).onlyHeaders());
    for (String type : List.of("*/*", "application/*", "*/json", "text/plain", "text/json", "application/xml",
        "multipart/form-data", "multipart/form-data; boundary=b", "multipart/mixed; boundary=b",
        "application/x-www-form-urlencoded", "application/octet-stream",
        "application/json; charset=iso-8859-1", "application/json; charset=utf-16", "application/json; charset=",
        "application/json; charset=\"utf-8", "application/json; charset=nonsense", "application/json/x", "json",
        "@@@", "",
        "application/json, text/plain")) {
      probes.add(Probe.of(endpoint, "Content-Type: " + type, 415).onlyHeaders(new Header("Content-Type", type)));
    }
    probes.add(Probe.of(endpoint, "a real multipart body", 415)
        .onlyHeaders(new Header("Content-Type", "multipart/form-data; boundary=b"))
        .body("--b\r\nContent-Disposition: form-data; name=\"body\"\r\nContent-Type: application/json\r\n\r\n"
            + endpoint.body + "\r\n--b--\r\n"));
    probes.add(Probe.of(endpoint, "a form body", 415)
        .onlyHeaders(new Header("Content-Type", "application/x-www-form-urlencoded"))
        .body("owner=alice&currency=EUR&amount=1"));

    // Body encodings: JSON is UTF-8, strictly.
    probes.add(Probe.of(endpoint, "a lone byte 0xFF", 400).body(bytes(endpoint.text, 0xFF)));
    probes.add(Probe.of(endpoint, "an overlong encoding C0 AF", 400).body(bytes(endpoint.text, 0xC0, 0xAF)));
    probes.add(Probe.of(endpoint, "an encoded surrogate ED A0 80", 400)
        .body(bytes(endpoint.text, 0xED, 0xA0, 0x80)));
    probes.add(Probe.of(endpoint, "a truncated sequence E2 82", 400).body(bytes(endpoint.text, 0xE2, 0x82)));
    probes.add(Probe.of(endpoint, "UTF-16 with a byte order mark", 400)
        .body(concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, endpoint.body.getBytes(StandardCharsets.UTF_16LE))));
    probes.add(Probe.of(endpoint, "UTF-16 without a byte order mark", 400)
        .body(endpoint.body.getBytes(StandardCharsets.UTF_16BE)));
    probes.add(Probe.of(endpoint, "a number of 5,000 digits", 400).body(endpoint.withAmount("9".repeat(5_000))));
    probes.add(Probe.of(endpoint, "a huge exponent", 400).body(endpoint.withAmount("1e999999999")));
    probes.add(Probe.of(endpoint, "a negative zero", 400).body(endpoint.withAmount("-0")));
    probes.add(Probe.of(endpoint, "deep nesting", 400).body(endpoint.withAmount("[".repeat(20_000) + "]".repeat(20_000))));
    probes.add(Probe.of(endpoint, "a duplicate key", 400).body("{\"amount\": 1, \"amount\": 1}"));
    probes.add(Probe.of(endpoint, "two JSON documents", 400).body(endpoint.body + endpoint.body));
    probes.add(Probe.of(endpoint, "trailing garbage", 400).body(endpoint.body + " x"));
    probes.add(Probe.of(endpoint, "a JSON null", 400).body("null"));
    probes.add(Probe.of(endpoint, "an array", 400).body("[" + endpoint.body + "]"));
    probes.add(Probe.of(endpoint, "not JSON", 400).body("amount=1"));
    probes.add(Probe.of(endpoint, "a raw control character in a string", 400).body(endpoint.text.formatted("\"a\u0001b\"")));
    probes.add(Probe.of(endpoint, "a bad escape", 400).body(endpoint.text.formatted("\"\\x41\"")));
    probes.add(Probe.of(endpoint, "a truncated escape", 400).body(endpoint.text.formatted("\"\\u00\"")));
    if (endpoint != Endpoint.CLOSE) {
      probes.add(Probe.of(endpoint, "an empty body", 400).body(new byte[0]));
    }

    // Headers the command API reads: each malformed, empty, non-ASCII or repeated.
    List<Header> badHeaders = new ArrayList<>(List.of(
        new Header("Idempotency-Key", "k".repeat(256)),
        new Header("Idempotency-Key", "tab\tinside"),
        new Header("Idempotency-Key", ""),
        new Header("Idempotency-Key", "cl\u00e9"),
        new Header("Idempotency-Key", latin1("cl\u00e9 in UTF-8")),
        new Header("X-Correlation-Id", "c".repeat(101)),
        new Header("X-Correlation-Id", ""),
        new Header("X-Correlation-Id", latin1("\u00fcber"))));
    if (endpoint.hasId()) {
      badHeaders.addAll(List.of(
          new Header("If-Match", "3"),
          new Header("If-Match", "\"-1\""),
          new Header("If-Match", "\"abc\""),
          new Header("If-Match", "W/\"1\""),
          new Header("If-Match", "\"1\", \"2\""),
          new Header("If-Match", "\"99999999999999999999\""),
          new Header("If-Match", "")));
    }
    for (Header header : badHeaders) {
      probes.add(Probe.of(endpoint, header.name() + ": " + printable(header.value()), 400).with(header)
          .naming(header.name()));
    }
    for (String name : List.of("Idempotency-Key", "X-Correlation-Id", "If-Match")) {
      if (endpoint.hasId() || !name.equals("If-Match")) {
        String value = name.equals("If-Match") ? "\"1\"" : "same";
        probes.add(Probe.of(endpoint, "two " + name + " headers", 400)
            .with(new Header(name, value), new Header(name, value)).naming(name));
      }
    }

    // Path ids: only a UUID in its canonical form names an account.
    if (endpoint.hasId()) {
      for (String id : List.of("not-a-uuid", "1-1-1-1-1", "%zz", "%", "%00", "%FF", "%C0%AF", "%ED%A0%80",
          account.replace("-", ""), account + "0", account + "%20", account + "%00", "%7B" + account + "%7D")) {
        probes.add(Probe.of(endpoint, "id " + id, 400).target(endpoint.path(id)));
      }
      probes.add(Probe.of(endpoint, "an empty id", 404).target(endpoint.path("")));
      probes.add(Probe.of(endpoint, "an encoded slash in the id", 400).target(endpoint.path(account + "%2Fx")));
    }
    probes.add(Probe.of(endpoint, "an unknown sub-path", 404).target(endpoint.path(account) + "/x"));
    // The command API takes no query parameters: any query is refused, malformed or not.
    probes.add(Probe.of(endpoint, "a bad escape in the query", 400).target(endpoint.path(account) + "?a=%zz")
        .naming("query"));
    probes.add(Probe.of(endpoint, "a query", 400).target(endpoint.path(account) + "?amount=2").naming("query"));

    // Methods: the command API only takes POST.
    for (String method : List.of("GET", "PUT", "DELETE", "PATCH", "FOO")) {
      probes.add(Probe.of(endpoint, "method " + method, 405).method(method));
    }
    return probes.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("malformedOnEveryEndpoint")
  void everyEndpointRefusesMalformedRequestsWithAProblemAndAppendsNothing(Endpoint endpoint, Probe probe) {
    long eventsBefore = EventLog.endOffset(topics.events());
    RawHttp.Response response = RawHttp.send(api.baseUrl(), probe.method(), probe.target(), probe.headers(), probe.body());
    assertProblem(endpoint + ": " + probe, response, probe.status());
    assertThat(response.text()).as(probe.what()).contains(probe.names());
    assertThat(EventLog.endOffset(topics.events())).as("events appended").isEqualTo(eventsBefore);
  }

  static Stream<Arguments> malformedBodies() {
    String deposit = "/accounts/ACCOUNT/deposits";
    return Stream.of(
        Arguments.of("broken JSON", "/accounts", "{\"owner\": \"alice\", ", 400),
        Arguments.of("a bare string", deposit, "\"100\"", 400),
        Arguments.of("missing owner", "/accounts", "{\"currency\": \"EUR\"}", 400),
        Arguments.of("missing currency", "/accounts", "{\"owner\": \"alice\"}", 400),
        Arguments.of("unknown field", "/accounts", "{\"owner\": \"a\", \"currency\": \"EUR\", \"vip\": true}", 400),
        Arguments.of("duplicate field", "/accounts", "{\"owner\": \"a\", \"owner\": \"b\", \"currency\": \"EUR\"}", 400),
        Arguments.of("owner not a string", "/accounts", "{\"owner\": 42, \"currency\": \"EUR\"}", 400),
        Arguments.of("owner blank", "/accounts", "{\"owner\": \"  \", \"currency\": \"EUR\"}", 400),
        Arguments.of("owner too long", "/accounts", "{\"owner\": \"" + "x".repeat(201) + "\", \"currency\": \"EUR\"}", 400),
        Arguments.of("currency too long", "/accounts", "{\"owner\": \"a\", \"currency\": \"EURO\"}", 400),
        Arguments.of("currency lower case", "/accounts", "{\"owner\": \"a\", \"currency\": \"eur\"}", 400),
        Arguments.of("currency with a NUL", "/accounts", "{\"owner\": \"a\", \"currency\": \"EU\\u0000\"}", 400),
        Arguments.of("missing amount", deposit, "{\"reference\": \"x\"}", 400),
        Arguments.of("amount zero", deposit, "{\"amount\": 0}", 400),
        Arguments.of("amount negative", deposit, "{\"amount\": -5}", 400),
        Arguments.of("amount fractional", deposit, "{\"amount\": 10.5}", 400),
        Arguments.of("amount with a zero fraction", deposit, "{\"amount\": 10.0}", 400),
        Arguments.of("amount as exponent", deposit, "{\"amount\": 1e3}", 400),
        Arguments.of("amount as string", deposit, "{\"amount\": \"100\"}", 400),
        Arguments.of("amount null", deposit, "{\"amount\": null}", 400),
        Arguments.of("amount over the limit", deposit, "{\"amount\": 1000000000001}", 400),
        Arguments.of("amount overflowing a long", deposit, "{\"amount\": 92233720368547758070}", 400),
        Arguments.of("reference too long", deposit, "{\"amount\": 1, \"reference\": \"" + "r".repeat(501) + "\"}", 400),
        Arguments.of("reference not a string", deposit, "{\"amount\": 1, \"reference\": 7}", 400),
        Arguments.of("body over 64 KiB", deposit, "{\"amount\": 1, \"reference\": \"" + "r".repeat(70_000) + "\"}", 413),
        Arguments.of("close with fields", "/accounts/ACCOUNT/close", "{\"force\": true}", 400));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedBodies")
  void aBodyTheContractRefusesGetsAProblemAndAppendsNothing(String name, String path, String body, int status) {
    long eventsBefore = EventLog.endOffset(topics.events());
    RawHttp.Response response = RawHttp.send(api.baseUrl(), "POST", path.replace("ACCOUNT", account),
        List.of(json()), utf8(body));
    assertProblem(name, response, status);
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

  /** The container's error page is no resource: asked for directly, it is a 404 problem like any unknown path. */
  @Test
  void theErrorPageAskedForIsANotFoundProblem() {
    for (String method : List.of("GET", "POST")) {
      assertProblem(method + " /error", RawHttp.send(api.baseUrl(), method, "/error", List.of(json()), utf8("{}")), 404);
    }
  }

  /** RFC 8259 lets a parser ignore a UTF-8 byte order mark; the content type may say so too. */
  @Test
  void aUtf8ByteOrderMarkAndAUtf8CharsetAreAccepted() {
    String path = "/accounts/" + account + "/deposits";
    byte[] withMark = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("{\"amount\": 1}"));
    RawHttp.Response marked = RawHttp.send(api.baseUrl(), "POST", path, List.of(json()), withMark);
    assertThat(marked.status()).as(marked.toString()).isEqualTo(200);
    RawHttp.Response declared = RawHttp.send(api.baseUrl(), "POST", path,
        List.of(new Header("Content-Type", "application/json; charset=UTF-8")), utf8("{\"amount\": 1}"));
    assertThat(declared.status()).as(declared.toString()).isEqualTo(200);
    // Withdraw them again, so that the shared account's balance stays zero for the rows above.
    assertThat(api.post(path.replace("deposits", "withdrawals"), "{\"amount\": 2}").statusCode()).isEqualTo(200);
  }

  private static void assertProblem(String what, RawHttp.Response response, int status) {
    assertThat(response.status()).as("%s: %s", what, response).isEqualTo(status);
    assertThat(response.header("Content-Type").orElse("")).as("%s: %s", what, response)
        .startsWith("application/problem+json");
    assertThat(response.text()).as(what).contains("\"status\":" + status).contains("\"type\":\"/problems/")
        .doesNotContain("Exception", "at dev.tally", "at org.");
  }

  private static Header json() {
    return new Header("Content-Type", "application/json");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The endpoint's text body with the field's value a JSON string of these raw bytes. */
  private static byte[] bytes(String template, int... raw) {
    byte[] value = new byte[raw.length + 2];
    value[0] = '"';
    for (int i = 0; i < raw.length; i++) {
      value[i + 1] = (byte) raw[i];
    }
    value[value.length - 1] = '"';
    String[] parts = template.split("%s", -1);
    return concat(concat(utf8(parts[0]), value), utf8(parts[1]));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** The UTF-8 bytes of {@code text}, as the ISO-8859-1 string {@link RawHttp} writes byte for byte. */
  private static String latin1(String text) {
    return new String(utf8(text), StandardCharsets.ISO_8859_1);
  }

  private static String printable(String value) {
    String shown = value.length() > 20 ? value.substring(0, 20) + "…(" + value.length() + ")" : value;
    return shown.chars().mapToObj(c -> c < 0x20 || c > 0x7E ? "\\x%02X".formatted(c) : String.valueOf((char) c))
        .reduce("", String::concat);
  }
}
