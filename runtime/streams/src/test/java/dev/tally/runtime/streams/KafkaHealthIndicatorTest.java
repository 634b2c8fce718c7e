package dev.tally.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.TestInfrastructure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class KafkaHealthIndicatorTest {

  private static Admin admin(String bootstrap) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000));
  }

  @Test
  void upWhenTheClusterAnswersAndEveryRequiredTopicExists() {
    List<String> topics = TestInfrastructure.createTopics(1, "health-a", "health-b");
    try (Admin admin = admin(TestInfrastructure.kafkaBootstrapServers())) {
      Health health = new KafkaHealthIndicator(admin, topics, Duration.ofSeconds(5)).health(true);
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsKey("clusterId");
    }
  }

  @Test
  void downAndNamingTheTopicWhenARequiredTopicIsMissing() {
    String missing = TestInfrastructure.uniqueName("never-created");
    try (Admin admin = admin(TestInfrastructure.kafkaBootstrapServers())) {
      Health health = new KafkaHealthIndicator(admin, List.of(missing), Duration.ofSeconds(5)).health(true);
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails()).containsEntry("missingTopics", List.of(missing));
    }
  }

  @Test
  void downWithinTheBoundWhenNoBrokerAnswers() throws Exception {
    int closedPort;
    try (var socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (Admin admin = admin("127.0.0.1:" + closedPort)) {
      long start = System.nanoTime();
      Health health = new KafkaHealthIndicator(admin, List.of("any"), Duration.ofSeconds(1)).health(true);
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }
}
