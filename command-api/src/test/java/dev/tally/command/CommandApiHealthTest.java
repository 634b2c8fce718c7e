package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Await;
import dev.tally.testing.Http;
import java.time.Duration;
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
class CommandApiHealthTest {

  @DynamicPropertySource
  static void topics(DynamicPropertyRegistry registry) {
    List<String> topics = TestInfrastructure.createTopics(2, "commands", "results", "events");
    registry.add("tally.topics.account.commands", () -> topics.get(0));
    registry.add("tally.topics.account.results", () -> topics.get(1));
    registry.add("tally.topics.account.events", () -> topics.get(2));
  }

  @Value("${local.server.port}")
  int port;

  @Test
  void healthIsUpOnceTheWriterRunsWithKafkaAndItsTopics() {
    String url = "http://localhost:" + port + "/actuator/health";
    Await.until(Duration.ofSeconds(30), "the command API is healthy", () -> Http.get(url).statusCode() == 200);
    var response = Http.get(url);
    assertThat(response.body()).contains("\"status\":\"UP\"").contains("\"kafka\"")
        .contains("\"accountWriter\":{\"details\":{\"state\":\"RUNNING\"}");
  }
}
