package dev.tally.query;

import static dev.tally.query.Answers.assertProblem;
import static dev.tally.query.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.query.consistency.ConsistencyWatcher;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests blocked on a consistency token are bounded ({@code tally.query.max-waiting-requests}):
 * beyond the bound a request that would have to wait is refused at once with 503 and
 * {@code Retry-After}, while those already waiting keep waiting and reads that need no wait are
 * answered. The wait here is a minute, so nothing but the bound can answer the extra request.
 */
class ConsistencyWaitBoundTest {

  private static final ReadModelFixture DB = ReadModelFixture.create();
  private static final Instant OPENED = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aWaitBeyondTheBoundIsRefusedAtOnceAndTheOthersKeepWaiting() throws Exception {
    try (QueryApiInstance api = QueryApiInstance.start(DB.jdbcUrl(), Map.of(
        "tally.query.consistency-wait", "60s",
        "tally.query.max-waiting-requests", 3,
        "tally.query.consistency-recheck-interval", "1h"))) {
      ConsistencyWatcher watcher = api.bean(ConsistencyWatcher.class);
      await().atMost(Duration.ofSeconds(30)).until(watcher::listening);
      UUID id = UUID.randomUUID();
      DB.account(id, "lena", 0, "OPEN", 1, OPENED);
      String ahead = token(id, 2);
      List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        waiting.add(CompletableFuture.supplyAsync(
            () -> api.get("/accounts/" + id, Duration.ofSeconds(90), "Consistency-Token", ahead)));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> watcher.pendingWaits() == 3);

      HttpResponse<String> beyond = api.get("/accounts/" + id, Duration.ofSeconds(30), "Consistency-Token", ahead);

      var problem = assertProblem(beyond, 503);
      assertThat(problem.get("type").asString()).isEqualTo("/problems/too-many-consistency-waits");
      assertThat(beyond.headers().firstValue("Retry-After")).contains("1");
      assertThat(waiting).noneMatch(CompletableFuture::isDone);
      assertThat(api.get("/accounts/" + id, Duration.ofSeconds(30), "Consistency-Token", token(id, 1)).statusCode())
          .as("a token already covered waits for nothing").isEqualTo(200);
      assertThat(api.get("/accounts/" + id, Duration.ofSeconds(30)).statusCode()).isEqualTo(200);

      DB.advance(id, 2, 5);
      for (CompletableFuture<HttpResponse<String>> response : waiting) {
        assertThat(response.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
    }
  }
}
