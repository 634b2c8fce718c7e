package dev.tally.query;

import static dev.tally.query.Answers.assertProblem;
import static dev.tally.query.Answers.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Every read endpoint over HTTP: shapes, paging with cursors, ETags and unknown ids. */
class AccountQueriesTest extends QueryApiTestBase {

  private static final Instant OPENED = Instant.parse("2026-02-03T04:05:06.123456Z");

  @Test
  void anAccountIsItsCurrentStateWithItsVersionAsETag() {
    UUID id = UUID.randomUUID();
    DB.account(id, "alice", 1250, "OPEN", 3, OPENED);

    HttpResponse<String> response = get("/accounts/" + id);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(response.headers().firstValue("ETag")).contains("\"3\"");
    JsonNode account = json(response);
    assertThat(account.propertyNames()).containsExactly("accountId", "owner", "currency", "balance", "status", "version",
        "updatedAt");
    assertThat(account.get("accountId").asString()).isEqualTo(id.toString());
    assertThat(account.get("owner").asString()).isEqualTo("alice");
    assertThat(account.get("currency").asString()).isEqualTo("EUR");
    assertThat(account.get("balance").asLong()).isEqualTo(1250);
    assertThat(account.get("status").asString()).isEqualTo("OPEN");
    assertThat(account.get("version").asLong()).isEqualTo(3);
    assertThat(account.get("updatedAt").asString()).isEqualTo("2026-02-03T04:05:09.123456Z");
  }

  @Test
  void aMatchingIfNoneMatchIsNotModified() {
    UUID id = UUID.randomUUID();
    DB.account(id, "alice", 0, "CLOSED", 7, OPENED);

    assertThat(get("/accounts/" + id, "If-None-Match", "\"7\"").statusCode()).isEqualTo(304);
    assertThat(get("/accounts/" + id, "If-None-Match", "\"6\"").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownIdsAreNotFoundProblems() {
    UUID unknown = UUID.randomUUID();
    assertThat(assertProblem(get("/accounts/" + unknown), 404).get("type").asString()).endsWith("/not-found");
    assertProblem(get("/accounts/" + unknown + "/transactions"), 404);
    assertProblem(get("/transfers/" + unknown), 404);
    assertProblem(get("/no-such-thing"), 404);
  }

  @Test
  void historyIsPagedOldestFirstWithCursorsWithoutGapsOrRepeats() {
    UUID id = UUID.randomUUID();
    DB.account(id, "bob", 0, "OPEN", 238, OPENED);
    long balance = 0;
    for (long version = 2; version <= 238; version++) {
      long amount = version * 10;
      boolean deposit = version % 3 != 0 || balance < amount;
      balance += deposit ? amount : -amount;
      DB.transaction(id, version, deposit ? "DEPOSIT" : "WITHDRAWAL", amount, balance, "ref-" + version,
          OPENED.plusSeconds(version));
    }

    List<Long> versions = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String next = null;
    do {
      JsonNode page = json(get("/accounts/" + id + "/transactions?limit=50" + (next == null ? "" : "&after=" + next)));
      assertThat(page.propertyNames()).containsExactly("items", "next");
      pageSizes.add(page.get("items").size());
      page.get("items").forEach(item -> versions.add(item.get("version").asLong()));
      next = page.get("next").isNull() ? null : page.get("next").asString();
    } while (next != null);

    assertThat(pageSizes).containsExactly(50, 50, 50, 50, 37);
    assertThat(versions).isEqualTo(LongStream.rangeClosed(2, 238).boxed().toList());

    JsonNode first = json(get("/accounts/" + id + "/transactions?limit=1")).get("items").get(0);
    assertThat(first.propertyNames()).containsExactly("version", "type", "amount", "balanceAfter", "reference", "occurredAt");
    assertThat(first.get("type").asString()).isEqualTo("DEPOSIT");
    assertThat(first.get("amount").asLong()).isEqualTo(20);
    assertThat(first.get("balanceAfter").asLong()).isEqualTo(20);
    assertThat(first.get("reference").asString()).isEqualTo("ref-2");
    assertThat(first.get("occurredAt").asString()).isEqualTo("2026-02-03T04:05:08.123456Z");
    assertThat(json(get("/accounts/" + id + "/transactions")).get("items").size()).as("default page size").isEqualTo(50);
    assertThat(json(get("/accounts/" + id + "/transactions?limit=200")).get("items").size()).isEqualTo(200);
  }

  @Test
  void anAccountWithoutHistoryHasAnEmptyLastPage() {
    UUID id = UUID.randomUUID();
    DB.account(id, "carol", 0, "OPEN", 1, OPENED);

    JsonNode page = json(get("/accounts/" + id + "/transactions"));
    assertThat(page.get("items").size()).isZero();
    assertThat(page.get("next").isNull()).isTrue();
  }

  @Test
  void accountsOfAnOwnerArePagedInOpeningOrderWithoutGapsOrRepeats() {
    String owner = "olga-" + UUID.randomUUID();
    List<UUID> ids = new ArrayList<>();
    List<Instant> opened = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      UUID id = UUID.randomUUID();
      Instant at = OPENED.plusMillis(i / 3);
      DB.account(id, owner, i, "OPEN", 1, at);
      ids.add(id);
      opened.add(at);
    }
    DB.account(UUID.randomUUID(), "someone-else-" + UUID.randomUUID(), 0, "OPEN", 1, OPENED);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      order.add(i);
    }
    // PostgreSQL orders uuids by their bytes, unsigned: the order of their lower-case text.
    order.sort(Comparator.<Integer, Instant>comparing(opened::get).thenComparing(i -> ids.get(i).toString()));
    List<String> expected = order.stream().map(i -> ids.get(i).toString()).toList();

    List<String> listed = new ArrayList<>();
    String next = null;
    int pages = 0;
    do {
      JsonNode page = json(get("/accounts?owner=" + owner + "&limit=5" + (next == null ? "" : "&after=" + next)));
      page.get("items").forEach(item -> {
        assertThat(item.get("owner").asString()).isEqualTo(owner);
        listed.add(item.get("accountId").asString());
      });
      next = page.get("next").isNull() ? null : page.get("next").asString();
      pages++;
    } while (next != null);

    assertThat(pages).isEqualTo(5);
    assertThat(new HashSet<>(listed)).hasSize(23);
    assertThat(listed).isEqualTo(expected);
    JsonNode none = json(get("/accounts?owner=nobody-" + UUID.randomUUID()));
    assertThat(none.get("items").size()).isZero();
    assertThat(none.get("next").isNull()).isTrue();
  }

  @Test
  void aTransferIsItsCurrentState() {
    UUID id = UUID.randomUUID();
    UUID from = UUID.randomUUID();
    UUID to = UUID.randomUUID();
    DB.transfer(id, from, to, 500, "FAILED", "insufficient funds");

    HttpResponse<String> response = get("/transfers/" + id);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode transfer = json(response);
    assertThat(transfer.propertyNames()).containsExactly("transferId", "from", "to", "amount", "status", "reason");
    assertThat(transfer.get("transferId").asString()).isEqualTo(id.toString());
    assertThat(transfer.get("from").asString()).isEqualTo(from.toString());
    assertThat(transfer.get("to").asString()).isEqualTo(to.toString());
    assertThat(transfer.get("amount").asLong()).isEqualTo(500);
    assertThat(transfer.get("status").asString()).isEqualTo("FAILED");
    assertThat(transfer.get("reason").asString()).isEqualTo("insufficient funds");
  }
}
