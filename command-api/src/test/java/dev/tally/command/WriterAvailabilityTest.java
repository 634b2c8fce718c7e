package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.runtime.streams.StreamsRuntime;
import dev.tally.testing.Await;
import dev.tally.testing.TestInfrastructure;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Instances share the partitions, survive each other, and remember idempotency keys across restarts. */
class WriterAvailabilityTest {

  @TempDir
  Path state;

  @Test
  void twoInstancesShareThePartitionsAndEitherAnswersWhileTheOtherIsStopped() {
    CommandApiTopics topics = CommandApiTopics.create(4, state);
    String bootstrap = TestInfrastructure.kafkaBootstrapServers();
    try (CommandApiInstance a = CommandApiInstance.start(topics, bootstrap, Map.of("instance", "a"));
         CommandApiInstance b = CommandApiInstance.start(topics, bootstrap, Map.of("instance", "b"))) {
      String account = AccountCommandsTest.open(a);
      for (int i = 0; i < 10; i++) {
        CommandApiInstance via = i % 2 == 0 ? a : b;
        HttpResponse<String> deposit = via.post("/accounts/" + account + "/deposits", "{\"amount\": 10}");
        assertThat(deposit.statusCode()).as(deposit.body()).isEqualTo(200);
        assertThat(AccountCommandsTest.field(deposit.body(), "version")).isEqualTo(String.valueOf(i + 2));
      }
      // Four partitions, two members: once the group settles, each owns some of them.
      Await.until(Duration.ofSeconds(30), "both instances own partitions",
          () -> activeTasks(a) > 0 && activeTasks(b) > 0 && activeTasks(a) + activeTasks(b) == 4);

      a.close();
      for (int i = 0; i < 5; i++) {
        String other = AccountCommandsTest.open(b);
        HttpResponse<String> deposit = b.post("/accounts/" + other + "/deposits", "{\"amount\": 10}");
        assertThat(deposit.statusCode()).as(deposit.body()).isEqualTo(200);
      }
      HttpResponse<String> again = b.post("/accounts/" + account + "/withdrawals", "{\"amount\": 100}");
      assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
      assertThat(AccountCommandsTest.field(again.body(), "version")).isEqualTo("12");
    }
  }

  private static int activeTasks(CommandApiInstance instance) {
    var streams = instance.bean(StreamsRuntime.class).streams();
    return streams == null ? 0 : streams.metadataForLocalThreads().stream()
        .mapToInt(thread -> thread.activeTasks().size()).sum();
  }

  @Test
  void anIdempotencyKeyIsRememberedAfterARestartWithNoLocalState() {
    CommandApiTopics topics = CommandApiTopics.create(2, state);
    String bootstrap = TestInfrastructure.kafkaBootstrapServers();
    String key = UUID.randomUUID().toString();
    String account;
    HttpResponse<String> first;
    try (CommandApiInstance api = CommandApiInstance.start(topics, bootstrap, Map.of("instance", "first"))) {
      account = AccountCommandsTest.open(api);
      first = api.post("/accounts/" + account + "/deposits", "{\"amount\": 70}", "Idempotency-Key", key);
      assertThat(first.statusCode()).isEqualTo(200);
    }
    // A new state directory: the writer restores its stores from Kafka, not from local disk.
    try (CommandApiInstance api = CommandApiInstance.start(topics, bootstrap, Map.of("instance", "second"))) {
      HttpResponse<String> again = api.post("/accounts/" + account + "/deposits", "{\"amount\": 70}",
          "Idempotency-Key", key);
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(again.body()).isEqualTo(first.body());
      HttpResponse<String> reused = api.post("/accounts/" + account + "/deposits", "{\"amount\": 71}",
          "Idempotency-Key", key);
      assertThat(reused.statusCode()).isEqualTo(422);
      assertThat(EventLog.of(topics.events(), account)).hasSize(2);
    }
  }
}
