package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.runtime.streams.StreamsRuntime;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.testing.Await;
import dev.tally.testing.TestInfrastructure;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker is up but no writer decides: commands reach the commands topic and nobody answers.
 * The circuit opens, refuses commands without sending them (the commands topic does not move),
 * says so in health and metrics, and closes by itself once a writer answers again.
 */
class WriterOutageTest {

  @TempDir
  Path state;

  @Test
  void withNoWriterDecidingTheCircuitOpensRefusesWithoutSendingAndClosesWhenTheWriterIsBack() {
    CommandApiTopics topics = CommandApiTopics.create(2, state);
    try (CommandApiInstance api = CommandApiInstance.start(topics, TestInfrastructure.kafkaBootstrapServers(), Map.of(
        "tally.command.reply-timeout", "1s",
        "tally.command.circuit.failures", "3",
        "tally.command.circuit.open-for", "10s",
        "tally.command.circuit.probes", "1"))) {
      String account = AccountCommandsTest.open(api);
      assertThat(api.get("/actuator/health").body()).contains("\"commandCircuit\":{\"details\":{\"state\":\"CLOSED\"");

      StreamsRuntime writer = api.bean(StreamsRuntime.class);
      writer.stop();
      awaitRefusalByTheOpenCircuit(() -> deposit(api, account), "10");

      // Health and metrics say the circuit is open.
      HttpResponse<String> health = api.get("/actuator/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).contains("\"commandCircuit\":{\"details\":{\"state\":\"OPEN\"");
      assertThat(api.get("/actuator/prometheus").body())
          .contains("resilience4j_circuitbreaker_state{name=\"commands\",state=\"open\"} 1.0")
          .containsPattern("tally_command_outcomes_total\\{outcome=\"circuit_open\",reason=\"\",type=\"[^\"]+\"} [1-9]");

      // Every command refused by the circuit was never sent; only probes (if the circuit went
      // half-open meanwhile) reach the commands topic.
      long commandsBefore = EventLog.endOffset(topics.commands());
      List<HttpResponse<String>> answers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        answers.add(deposit(api, account));
      }
      assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(503));
      long sent = answers.stream().filter(answer -> !answer.body().contains("circuit open")).count();
      assertThat(sent).isLessThanOrEqualTo(1);
      assertThat(EventLog.endOffset(topics.commands())).isEqualTo(commandsBefore + sent);

      // The writer returns: a probe gets through, is answered, and the circuit closes by itself.
      // (The client retries with one key, so that a retry racing its own deadline cannot count twice.)
      writer.start();
      Await.until(Duration.ofSeconds(90), "a deposit succeeds again", () -> api.post("/accounts/" + account
          + "/deposits", "{\"amount\": 1}", "Idempotency-Key", "after-the-outage").statusCode() == 200);
      assertThat(api.get("/actuator/health").body()).contains("\"commandCircuit\":{\"details\":{\"state\":\"CLOSED\"");
      assertThat(api.post("/accounts/" + account + "/deposits", "{\"amount\": 1}").statusCode()).isEqualTo(200);
      // What timed out reached the writer after its deadline and was dropped: two deposits, no more.
      assertThat(EventLog.of(topics.events(), account)).filteredOn(MoneyDeposited.class::isInstance).hasSize(2);
    }
  }

  /**
   * Sends commands until the open circuit refuses one, and checks that the refusal says so: 503,
   * the Retry-After of the circuit's open time, and that the command was not sent.
   */
  static void awaitRefusalByTheOpenCircuit(Supplier<HttpResponse<String>> command, String retryAfter) {
    AtomicReference<HttpResponse<String>> refused = new AtomicReference<>();
    Await.until(Duration.ofSeconds(60), "a command is refused by the open circuit", () -> {
      refused.set(command.get());
      return refused.get().body().contains("circuit open");
    });
    assertThat(refused.get().statusCode()).isEqualTo(503);
    assertThat(refused.get().headers().firstValue("Retry-After")).contains(retryAfter);
    assertThat(refused.get().body()).contains("/problems/unavailable", "the command was not sent");
  }

  private static HttpResponse<String> deposit(CommandApiInstance api, String account) {
    return api.post("/accounts/" + account + "/deposits", "{\"amount\": 1}");
  }
}
