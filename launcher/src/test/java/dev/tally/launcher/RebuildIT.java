package dev.tally.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.AggregateTopics;
import dev.tally.schemas.Aggregates;
import dev.tally.testing.AccountEvents;
import dev.tally.testing.Http;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tally rebuild} on a running local stack (real broker, database, projector and query
 * API), while a client reads the query API without pause and another one keeps writing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RebuildIT {

  private static final int ACCOUNTS = 20;

  @TempDir
  static Path home;

  private Stack stack;
  private final List<String> accounts = new ArrayList<>();
  private final Map<String, AtomicLong> balances = new ConcurrentHashMap<>();
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  @BeforeAll
  void up() throws Exception {
    stack = new Stack(home).onFreePorts(3);
    Stack.Result up = stack.tally("up");
    assertThat(up.exitCode()).as(up.output()).isZero();
    for (int i = 0; i < ACCOUNTS; i++) {
      var opened = Stack.post(stack.url("COMMAND") + "/accounts", "{\"owner\": \"reader-" + i + "\", \"currency\": \"EUR\"}");
      assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
      String account = Stack.json(opened.body(), "accountId");
      accounts.add(account);
      balances.put(account, new AtomicLong());
      deposit(account, 10 + i);
    }
  }

  @AfterAll
  void down() throws Exception {
    stack.tally("down");
  }

  @Test
  @Order(1)
  void readersNeitherFailNorSeeAHalfBuiltModelAndEndUpWithEveryWrite() throws Exception {
    // Also watched: the projector stays healthy through the build, the switch and the hand-over.
    AtomicBoolean stop = new AtomicBoolean();
    Queue<String> problems = new ConcurrentLinkedQueue<>();
    AtomicLong reads = new AtomicLong();
    Thread reader = Thread.ofPlatform().start(() -> {
      Map<String, Long> seen = new java.util.HashMap<>();
      while (!stop.get()) {
        HttpResponse<String> health = Http.get(stack.url("PROJECTOR") + "/actuator/health");
        if (health.statusCode() != 200) {
          problems.add("projector health " + health.statusCode() + ": " + health.body());
        }
        for (String account : accounts) {
          HttpResponse<String> read = Http.get(stack.url("QUERY") + "/accounts/" + account);
          reads.incrementAndGet();
          if (read.statusCode() != 200) {
            problems.add("read " + account + ": " + read.statusCode() + " " + read.body());
            continue;
          }
          long version = Long.parseLong(Stack.json(read.body(), "version"));
          Long before = seen.put(account, version);
          if (before != null && version < before) {
            problems.add("account " + account + " went back from version " + before + " to " + version);
          }
        }
      }
    });
    Thread writer = Thread.ofPlatform().start(() -> {
      while (!stop.get()) {
        try {
          deposit(accounts.get(ThreadLocalRandom.current().nextInt(ACCOUNTS)), 1);
        } catch (AssertionError e) {
          problems.add("write: " + e.getMessage());
        }
      }
    });
    long readsBefore = reads.get();

    Stack.Result rebuild = stack.tally("rebuild");

    long readsDuring = reads.get() - readsBefore;
    stop.set(true);
    reader.join();
    writer.join();
    assertThat(rebuild.exitCode()).as(rebuild.output()).isZero();
    assertThat(rebuild.output()).contains("verified against the log", "switched: readers now see generation 2",
        "retired generation 1");
    assertThat(problems).as("failed or backward reads").isEmpty();
    assertThat(readsDuring).as("reads while rebuilding").isGreaterThan(ACCOUNTS);
    for (String account : accounts) {
      HttpResponse<String> read = Stack.get(stack.url("QUERY") + "/accounts/" + account, tokens.get(account));
      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      assertThat(Stack.json(read.body(), "balance")).as(account).isEqualTo(String.valueOf(balances.get(account).get()));
    }
    assertThat(generations()).containsExactly("1 RETIRED", "2 LIVE");
  }

  @Test
  @Order(2)
  void aLogTheModelCannotMatchFailsVerificationAndSwitchesNothing() throws Exception {
    // An event filed under another account's key: the projector parks that key, the fold refuses it.
    String victim = accounts.getFirst();
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka()),
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(AccountEvents.record(AggregateTopics.of(Aggregates.ACCOUNT).events(), UUID.randomUUID().toString(),
          AccountEvents.deposited(victim, 1_000, 5, 5, Instant.now()), null)).get();
    }

    Stack.Result rebuild = stack.tally("rebuild");

    assertThat(rebuild.exitCode()).as(rebuild.output()).isEqualTo(3);
    assertThat(rebuild.output()).contains("generation 3 does not match the log; nothing was switched", "cannot be folded")
        .doesNotContain("switched: readers");
    assertThat(generations()).containsExactly("1 RETIRED", "2 LIVE", "3 FAILED");
    HttpResponse<String> read = Stack.get(stack.url("QUERY") + "/accounts/" + victim, tokens.get(victim));
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    assertThat(Stack.json(read.body(), "balance")).isEqualTo(String.valueOf(balances.get(victim).get()));
  }

  private void deposit(String account, long amount) {
    var deposited = Stack.post(stack.url("COMMAND") + "/accounts/" + account + "/deposits", "{\"amount\": " + amount + "}");
    assertThat(deposited.statusCode()).as(deposited.body()).isEqualTo(200);
    balances.get(account).addAndGet(amount);
    tokens.put(account, Stack.json(deposited.body(), "consistencyToken"));
  }

  private List<String> generations() throws Exception {
    try (Connection db = stack.database(); Statement statement = db.createStatement();
         ResultSet rows = statement.executeQuery("SELECT generation || ' ' || state FROM tally_control.generations ORDER BY 1")) {
      List<String> result = new ArrayList<>();
      while (rows.next()) {
        result.add(rows.getString(1));
      }
      return result;
    }
  }
}
