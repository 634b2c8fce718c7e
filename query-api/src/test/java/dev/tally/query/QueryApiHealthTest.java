package dev.tally.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tally.testing.Http;
import dev.tally.testing.TallyInfrastructureInitializer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = TallyInfrastructureInitializer.class)
class QueryApiHealthTest {

  @DynamicPropertySource
  static void tokenKeys(DynamicPropertyRegistry registry) {
    registry.add("tally.tokens.keys", () -> TestTokens.KEYS);
  }

  @Value("${local.server.port}")
  int port;

  /** The consistency watcher connects on its own thread after start-up: health is UP once it listens. */
  @Test
  void healthIsUpWithTheDatabase() {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var response = Http.get("http://localhost:" + port + "/actuator/health");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"status\":\"UP\"").contains("\"db\"");
    });
  }
}
