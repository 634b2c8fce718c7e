package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.testing.Await;
import dev.tally.testing.StandaloneBroker;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With the broker gone, requests fail fast and safely; when it returns, the service recovers by itself. */
class BrokerOutageTest {

  @TempDir
  Path dir;

  record Timed(HttpResponse<String> response, Duration took) {
  }

  @Test
  void answers503WithinTheBoundSheddingLoadAndRecoversWhenTheBrokerReturns() throws Exception {
    try (StandaloneBroker broker = StandaloneBroker.start(Files.createDirectory(dir.resolve("broker")))) {
      CommandApiTopics topics = new CommandApiTopics("commands", "results", "events", "writer", dir.resolve("state"));
      broker.createTopics(2, topics.commands(), topics.results(), topics.events());
      try (CommandApiInstance api = CommandApiInstance.start(topics, broker.bootstrapServers(), Map.of(
          "tally.command.reply-timeout", "2s",
          "tally.command.max-in-flight", "8"))) {
        String account = AccountCommandsTest.open(api);

        broker.freeze();
        List<Callable<Timed>> requests = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          String key = "outage-" + i;
          requests.add(() -> {
            long start = System.nanoTime();
            HttpResponse<String> response = api.post("/accounts/" + account + "/deposits", "{\"amount\": 1}",
                "Idempotency-Key", key);
            return new Timed(response, Duration.ofNanos(System.nanoTime() - start));
          });
        }
        List<Timed> answers = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
          for (Future<Timed> answer : clients.invokeAll(requests)) {
            answers.add(answer.get());
          }
        }
        assertThat(answers).allSatisfy(answer -> {
          assertThat(answer.response().statusCode()).isEqualTo(503);
          assertThat(answer.response().headers().firstValue("Retry-After")).isPresent();
          assertThat(answer.took()).isLessThan(Duration.ofSeconds(5));
        });
        // Only max-in-flight requests waited; the rest were refused at once instead of piling up.
        assertThat(answers).filteredOn(a -> a.response().body().contains("too many commands in flight")).hasSizeGreaterThanOrEqualTo(30);

        broker.thaw();
        // The client retries with the same keys until the service has recovered by itself.
        for (int i = 0; i < 3; i++) {
          String key = "outage-" + i;
          Await.until(Duration.ofSeconds(90), "a retry of " + key + " succeeds", () ->
              api.post("/accounts/" + account + "/deposits", "{\"amount\": 1}", "Idempotency-Key", key).statusCode() == 200);
        }
        HttpResponse<String> after = api.post("/accounts/" + account + "/deposits", "{\"amount\": 1}");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(AccountCommandsTest.field(after.body(), "version")).isEqualTo("5");

        List<MoneyDeposited> deposits = EventLog.committed(topics.events(), broker.bootstrapServers()).stream()
            .filter(MoneyDeposited.class::isInstance).map(MoneyDeposited.class::cast).toList();
        assertThat(deposits).hasSize(4);
        assertThat(deposits.getLast().getBalanceAfter()).isEqualTo(4);
      }
    }
  }
}
