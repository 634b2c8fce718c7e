package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.DepositMoney;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the broker frozen, requests fail safely, load is shed, and once the circuit has opened
 * commands are refused at once without being sent; when the broker returns, the service
 * recovers by itself.
 */
class BrokerOutageTest {

  @TempDir
  Path dir;

  @Test
  void whileTheBrokerIsFrozenTheCircuitOpensAndRefusesWithoutSendingThenTheServiceRecovers() throws Exception {
    try (StandaloneBroker broker = StandaloneBroker.start(Files.createDirectory(dir.resolve("broker")))) {
      CommandApiTopics topics = new CommandApiTopics("commands", "results", "events", "tally-account-writer",
          dir.resolve("state"));
      broker.createTopics(2, topics.commands(), topics.results(), topics.events());
      // start() waits until the service is healthy: its writer runs, so the first command is answered.
      try (CommandApiInstance api = CommandApiInstance.start(topics, broker.bootstrapServers(), Map.of(
          "tally.command.reply-timeout", "2s",
          "tally.command.max-in-flight", "8",
          "tally.command.circuit.failures", "3",
          "tally.command.circuit.open-for", "2s"))) {
        String account = AccountCommandsTest.open(api);

        broker.freeze();
        List<Callable<HttpResponse<String>>> requests = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          String key = "outage-" + i;
          requests.add(() -> api.post("/accounts/" + account + "/deposits", "{\"amount\": 1}", "Idempotency-Key", key));
        }
        List<HttpResponse<String>> answers = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
          for (Future<HttpResponse<String>> answer : clients.invokeAll(requests)) {
            answers.add(answer.get());
          }
        }
        assertThat(answers).allSatisfy(answer -> {
          assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
          assertThat(answer.headers().firstValue("Retry-After")).isPresent();
          assertThat(answer.body()).containsAnyOf("too many commands in flight", "not confirmed within 2000 ms",
              "circuit open");
        });
        // Only max-in-flight requests waited; the rest were refused at once instead of piling up.
        assertThat(answers).filteredOn(a -> a.body().contains("too many commands in flight")).hasSizeGreaterThanOrEqualTo(30)
            .allSatisfy(refused -> assertThat(refused.body()).contains("\"outcome\":\"not-executed\""));

        // The commands that waited in vain opened the circuit: from now on a command is refused
        // at once and never sent, with a Retry-After of the time the circuit stays open.
        AtomicInteger attempt = new AtomicInteger();
        WriterOutageTest.awaitRefusalByTheOpenCircuit(() -> api.post("/accounts/" + account + "/deposits",
            "{\"amount\": 1}", "Idempotency-Key", "while-frozen-" + attempt.incrementAndGet()), "2");
        String refusedKey = "while-frozen-" + attempt.get();

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
        // What the open circuit refused was never handed to Kafka.
        assertThat(EventLog.committed(topics.commands(), broker.bootstrapServers()).stream()
            .filter(DepositMoney.class::isInstance)
            .map(command -> ((DepositMoney) command).getMetadata())
            .map(CommandMetadata::getIdempotencyKey))
            .doesNotContain(refusedKey)
            .contains("outage-0");
      }
    }
  }
}
