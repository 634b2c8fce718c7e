package dev.tally.chaos;

import dev.tally.bench.HttpConnection;
import dev.tally.bench.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * One command the load sent, as it is sent on every attempt (same body, same
 * {@code Idempotency-Key}), and its definite answer once it has one. Its id is the key, the
 * {@code X-Correlation-Id} (which the writer copies into every event the command appends) and, for
 * money, the reference: so each request can be found in the log and in the read model.
 */
final class Request {

  enum Kind { OPEN, DEPOSIT, WITHDRAW }

  /** How a request ended: accepted (2xx), refused (4xx), or still without a definite answer. */
  enum State { ACCEPTED, REFUSED, UNRESOLVED }

  /**
   * A definite answer: its status, for an acceptance the version and consistency token it named,
   * for a refusal its problem type; and when it came (System.nanoTime).
   */
  record Answer(int status, long version, String token, String problemType, long at) {

    static Answer of(HttpConnection.Response response, long at) {
      String version = Json.field(response.body(), "version");
      return new Answer(response.status(), version == null || !version.matches("[0-9]{1,18}") ? 0 : Long.parseLong(version),
          Json.field(response.body(), "consistencyToken"), Json.field(response.body(), "type"), at);
    }

    boolean accepted() {
      return status >= 200 && status < 300;
    }
  }

  /** What the invariants are checked on: a request and how it ended. */
  record Outcome(String id, Kind kind, String account, long amount, String phase, State state, Answer answer) {
  }

  final String id;
  final Kind kind;
  final String account;
  final long amount;
  /** The fault (or the quiet phase) during which the request was first sent. */
  final String phase;
  final byte[] bytes;
  /** When it was made, just before its first attempt (System.nanoTime). */
  final long createdAt = System.nanoTime();
  private volatile Answer answer;

  private Request(String id, Kind kind, String account, long amount, String phase, byte[] bytes) {
    this.id = id;
    this.kind = kind;
    this.account = account;
    this.amount = amount;
    this.phase = phase;
    this.bytes = bytes;
  }

  /** Opening an account: with a key, the command API derives the account's id from it, so a retry reaches the same one. */
  static Request open(String id, String phase, String host, int port) {
    String account = UUID.nameUUIDFromBytes(("account/" + id).getBytes(StandardCharsets.UTF_8)).toString();
    return new Request(id, Kind.OPEN, account, 0, phase, HttpConnection.request("POST", "/accounts", host, port,
        headers(id), "{\"owner\": \"" + id + "\", \"currency\": \"EUR\"}"));
  }

  static Request money(String id, Kind kind, String account, long amount, String phase, String host, int port) {
    String path = "/accounts/" + account + (kind == Kind.DEPOSIT ? "/deposits" : "/withdrawals");
    return new Request(id, kind, account, amount, phase, HttpConnection.request("POST", path, host, port, headers(id),
        "{\"amount\": " + amount + ", \"reference\": \"" + id + "\"}"));
  }

  private static Map<String, String> headers(String id) {
    return Map.of("Idempotency-Key", id, "X-Correlation-Id", id);
  }

  /** Records the definite answer; the first one counts. */
  void answer(Answer definite) {
    if (answer == null) {
      answer = definite;
    }
  }

  Answer answer() {
    return answer;
  }

  Outcome outcome() {
    Answer known = answer;
    State state = known == null ? State.UNRESOLVED : known.accepted() ? State.ACCEPTED : State.REFUSED;
    return new Outcome(id, kind, account, amount, phase, state, known);
  }
}
