package dev.tally.testing;

import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Points a Spring Boot test at the shared Kafka broker and at a fresh database of its own:
 * {@code @ContextConfiguration(initializers = TallyInfrastructureInitializer.class)}.
 */
public class TallyInfrastructureInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    TestInfrastructure.Database database = TestInfrastructure.newDatabase();
    context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("tally-test-infrastructure", Map.of(
        "spring.kafka.bootstrap-servers", TestInfrastructure.kafkaBootstrapServers(),
        "spring.datasource.url", database.jdbcUrl(),
        "spring.datasource.username", database.user(),
        "spring.datasource.password", database.password())));
  }
}
