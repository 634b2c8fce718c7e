package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.TestInfrastructure;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenApiTest {

  @TempDir
  Path state;

  @Test
  void servesTheOpenApiDocumentAndSwaggerUi() {
    try (CommandApiInstance api = CommandApiInstance.start(CommandApiTopics.create(1, state),
        TestInfrastructure.kafkaBootstrapServers(), Map.of())) {
      var document = api.get("/v3/api-docs");
      assertThat(document.statusCode()).isEqualTo(200);
      assertThat(document.body()).contains("/accounts/{id}/withdrawals", "\"OpenAccount\"", "\"MoneyMovement\"",
          "\"CommandAccepted\"");
      assertThat(document.body()).contains("\"name\":\"X-Correlation-Id\",\"in\":\"header\",\"description\":\"1 to 100",
          "\"name\":\"Idempotency-Key\",\"in\":\"header\",\"description\":\"1 to 255");
      assertThat(api.get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
    }
  }
}
