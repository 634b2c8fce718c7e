package dev.tally.projector;

import dev.tally.testing.TestInfrastructure;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The projector service as deployed (Spring Boot, its generations, health), started and stopped
 * in-process by a test against a given database, topics and application id.
 */
final class SpringProjector implements AutoCloseable {

  private final ConfigurableApplicationContext context;

  private SpringProjector(ConfigurableApplicationContext context) {
    this.context = context;
  }

  static SpringProjector start(TestInfrastructure.Database database, String events, String deadLetters,
      String applicationId) {
    return start(database, events, deadLetters, applicationId, ProjectorApplication.class, Map.of());
  }

  /**
   * The projector's wiring started from another application class (one registering other
   * projections, say), with more properties (the topics of those projections' aggregate types).
   */
  static SpringProjector start(TestInfrastructure.Database database, String events, String deadLetters,
      String applicationId, Class<?> application, Map<String, String> more) {
    ReadModel.ensureReaderRole();
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("server.port", "0");
    properties.put("spring.kafka.bootstrap-servers", TestInfrastructure.kafkaBootstrapServers());
    properties.put("spring.datasource.url", database.jdbcUrl());
    properties.put("spring.datasource.username", database.user());
    properties.put("spring.datasource.password", database.password());
    properties.put("tally.topics.account.events", events);
    properties.put("tally.topics.account.dead-letters", deadLetters);
    properties.put("tally.projector.application-id", applicationId);
    properties.put("tally.projector.state-dir", Path.of("target", "streams-state").toAbsolutePath().toString());
    properties.put("tally.projector.lag-interval", "200ms");
    properties.putAll(more);
    // As command-line arguments: they take precedence over application.yml.
    String[] arguments = properties.entrySet().stream().map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
        .toArray(String[]::new);
    return new SpringProjector(new SpringApplicationBuilder(application).run(arguments));
  }

  /** Where its HTTP endpoints (health, metrics) listen. */
  String url(String path) {
    return "http://localhost:" + context.getEnvironment().getProperty("local.server.port") + path;
  }

  @Override
  public void close() {
    context.close();
  }
}
