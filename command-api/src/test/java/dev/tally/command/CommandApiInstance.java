package dev.tally.command;

import dev.tally.testing.Await;
import dev.tally.testing.Http;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** One running command API (with its writer), on a random port, for tests that need several or restarts. */
final class CommandApiInstance implements AutoCloseable {

  private final ConfigurableApplicationContext context;
  private final String baseUrl;

  private CommandApiInstance(ConfigurableApplicationContext context) {
    this.context = context;
    this.baseUrl = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
  }

  static CommandApiInstance start(CommandApiTopics topics, String bootstrapServers, Map<String, Object> extra) {
    CommandApiInstance instance = launch(topics, bootstrapServers, extra);
    instance.awaitHealthy();
    instance.awaitAnswering();
    return instance;
  }

  /** Starts an instance without waiting for its writer: for tests of a writer that refuses to start. */
  static CommandApiInstance launch(CommandApiTopics topics, String bootstrapServers, Map<String, Object> extra) {
    Map<String, Object> properties = new HashMap<>();
    properties.put("server.port", 0);
    properties.put("spring.kafka.bootstrap-servers", bootstrapServers);
    properties.put("tally.topics.account.commands", topics.commands());
    properties.put("tally.topics.account.results", topics.results());
    properties.put("tally.topics.account.events", topics.events());
    properties.put("tally.command.application-ids.account", topics.applicationId());
    properties.put("tally.command.state-dir", topics.stateDir(extra.getOrDefault("instance", "a").toString()));
    properties.putAll(extra);
    properties.remove("instance");
    // As arguments, so that they win over application.yml.
    String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    return new CommandApiInstance(new SpringApplicationBuilder(CommandApiApplication.class).run(args));
  }

  /**
   * Waits until the service says it is UP: the broker answers and the writer has run (its
   * partitions assigned and its state restored). Before that a command waits for a writer that
   * is not deciding yet, and may time out.
   */
  void awaitHealthy() {
    // A bound against a hang, not a measure: on a busy machine a restore and a rebalance take minutes.
    Await.until(Duration.ofSeconds(180), "the command API at " + baseUrl + " is healthy",
        () -> get("/actuator/health").statusCode() == 200);
  }

  /**
   * Waits until a writer answers a command: a deposit to an account that does not exist, which
   * it refuses (404) and which appends nothing. A writer that has just started may take longer
   * over its first command than a test's short reply timeout.
   */
  private void awaitAnswering() {
    String nowhere = "/accounts/" + UUID.randomUUID() + "/deposits";
    Await.until(Duration.ofSeconds(90), "the command API at " + baseUrl + " answers a command",
        () -> post(nowhere, "{\"amount\": 1}").statusCode() == 404);
  }

  /**
   * Opens an account, retrying with one Idempotency-Key until it is confirmed: on a loaded machine
   * a commit can take longer than a short reply timeout.
   */
  String openAccount() {
    String key = "open-" + UUID.randomUUID();
    AtomicReference<HttpResponse<String>> opened = new AtomicReference<>();
    Await.until(Duration.ofSeconds(120), "an account is opened", () -> {
      opened.set(post("/accounts", "{\"owner\": \"alice\", \"currency\": \"EUR\"}", "Idempotency-Key", key));
      return opened.get().statusCode() == 201;
    });
    return AccountCommandsTest.field(opened.get().body(), "accountId");
  }

  String baseUrl() {
    return baseUrl;
  }

  String property(String name) {
    return context.getEnvironment().getRequiredProperty(name);
  }

  <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  HttpResponse<String> post(String path, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
    if (body != null) {
      request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    } else {
      request.POST(HttpRequest.BodyPublishers.noBody());
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return Http.send(request.build());
  }

  HttpResponse<String> get(String path) {
    return Http.get(baseUrl + path);
  }

  @Override
  public void close() {
    context.close();
  }
}
