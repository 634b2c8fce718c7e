package dev.tally.projector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Http;
import dev.tally.testing.TallyInfrastructureInitializer;
import dev.tally.testing.TestInfrastructure;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = TallyInfrastructureInitializer.class)
class ProjectorHealthTest {

  @DynamicPropertySource
  static void topics(DynamicPropertyRegistry registry) {
    List<String> topics = TestInfrastructure.createTopics(2, "commands", "results", "events");
    registry.add("tally.topics.account-commands", () -> topics.get(0));
    registry.add("tally.topics.account-command-results", () -> topics.get(1));
    registry.add("tally.topics.account-events", () -> topics.get(2));
  }

  @Value("${local.server.port}")
  int port;

  @Test
  void healthIsUpWithKafkaAndTheDatabase() {
    var response = Http.get("http://localhost:" + port + "/actuator/health");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"status\":\"UP\"").contains("\"kafka\"").contains("\"db\"");
  }
}
