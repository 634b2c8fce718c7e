package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.testing.Await;
import dev.tally.testing.StandaloneBroker;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window a 503 cannot close: the writer decided a command in time, then the broker stalled
 * before the decision committed, so the sender gave up before the answer came. The 503 must say
 * the command may still be appended, and a retry with the same key must find out which.
 */
class UnconfirmedCommandTest {

  @TempDir
  Path dir;

  @Test
  void a503ForACommandDecidedButNotYetCommittedSaysTheOutcomeIsUnknownAndTheSameKeyTellsIt() throws Exception {
    try (StandaloneBroker broker = StandaloneBroker.start(Files.createDirectory(dir.resolve("broker")))) {
      CommandApiTopics topics = new CommandApiTopics("commands", "results", "events", "tally-account-writer",
          dir.resolve("state"));
      broker.createTopics(1, topics.commands(), topics.results(), topics.events());
      // Commits every 1.5 s: a decision waits that long to be committed, so the stall can fall in between.
      try (CommandApiInstance api = CommandApiInstance.start(topics, broker.bootstrapServers(), Map.of(
          "tally.command.reply-timeout", "3s",
          "tally.command.decision-margin", "2s",
          "tally.command.commit-interval", "1500ms"));
           KafkaConsumer<String, byte[]> uncommitted = uncommitted(broker.bootstrapServers(), topics.events())) {
        String account = api.openAccount();

        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<HttpResponse<String>> unconfirmed = new AtomicReference<>();
        AtomicReference<String> key = new AtomicReference<>();
        Await.until(Duration.ofSeconds(180), "a deposit is decided but not committed when the broker stalls", () -> {
          key.set("window-" + attempts.incrementAndGet());
          uncommitted.seekToEnd(uncommitted.assignment());
          // Resolved now, before the deposit is sent: a lazily resolved end could already be past it.
          uncommitted.assignment().forEach(uncommitted::position);
          CompletableFuture<HttpResponse<String>> deposit = CompletableFuture.supplyAsync(() ->
              api.post("/accounts/" + account + "/deposits", "{\"amount\": 7, \"reference\": \"" + key.get() + "\"}",
                  "Idempotency-Key", key.get()));
          awaitUncommittedDeposit(uncommitted, key.get());
          try {
            broker.freeze();
            HttpResponse<String> response = deposit.get(30, TimeUnit.SECONDS);
            if (response.statusCode() == 503) {
              unconfirmed.set(response);
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          } finally {
            thaw(broker);
          }
          return unconfirmed.get() != null;
        });

        String problem = unconfirmed.get().body();
        assertThat(problem).contains("\"outcome\":\"unknown\"", "Idempotency-Key");
        // The decision commits once the broker is back: the command was appended after all.
        Await.until(Duration.ofSeconds(60), "the unconfirmed deposit is committed", () ->
            deposits(topics.events(), broker.bootstrapServers(), key.get()) == 1);
        HttpResponse<String> retry = api.post("/accounts/" + account + "/deposits",
            "{\"amount\": 7, \"reference\": \"" + key.get() + "\"}", "Idempotency-Key", key.get());
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
        assertThat(deposits(topics.events(), broker.bootstrapServers(), key.get())).isEqualTo(1);
      }
    }
  }

  private static KafkaConsumer<String, byte[]> uncommitted(String bootstrap, String topic) {
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer());
    consumer.assign(List.of(new TopicPartition(topic, 0)));
    return consumer;
  }

  /** Waits until the writer has written (not necessarily committed) the deposit with this reference. */
  private static void awaitUncommittedDeposit(KafkaConsumer<String, byte[]> consumer, String reference) {
    Await.until(Duration.ofSeconds(30), "the writer has decided " + reference, () -> {
      for (var record : consumer.poll(Duration.ofMillis(20))) {
        if (AvroCodec.standard().decode(record.value()) instanceof MoneyDeposited deposited
            && reference.equals(deposited.getReference())) {
          return true;
        }
      }
      return false;
    });
  }

  private static long deposits(String topic, String bootstrap, String reference) {
    return EventLog.committed(topic, bootstrap).stream()
        .filter(event -> event instanceof MoneyDeposited deposited && reference.equals(deposited.getReference()))
        .count();
  }

  private static void thaw(StandaloneBroker broker) {
    try {
      broker.thaw();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
