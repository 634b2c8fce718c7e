package dev.tally.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.schemas.AggregateTopics;
import dev.tally.schemas.Aggregates;
import dev.tally.testing.TestInfrastructure;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class LocalTopicsTest {

  @Test
  void createsTheEventTopicWithInfiniteRetentionAndLeavesExistingTopicsAlone() throws Exception {
    List<NewTopic> plan = LocalTopics.plan(3).stream()
        .map(t -> new NewTopic(TestInfrastructure.uniqueName(t.name()), t.numPartitions(), t.replicationFactor())
            .configs(t.configs()))
        .toList();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestInfrastructure.kafkaBootstrapServers()))) {
      assertThat(LocalTopics.ensure(admin, plan)).allMatch(line -> line.endsWith(": created, 3 partitions"));
      assertThat(LocalTopics.ensure(admin, plan)).allMatch(line -> line.endsWith(": exists, 3 partitions"));

      String events = plan.getFirst().name();
      assertThat(events).startsWith(AggregateTopics.of(Aggregates.ACCOUNT).events());
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, events);
      Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("-1");
      assertThat(config.get(TopicConfig.RETENTION_BYTES_CONFIG).value()).isEqualTo("-1");
    }
  }

  @Test
  void reportsAnExistingTopicWithAnotherPartitionCount() throws Exception {
    String name = TestInfrastructure.createTopics(2, "resized").getFirst();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestInfrastructure.kafkaBootstrapServers()))) {
      assertThat(LocalTopics.ensure(admin, List.of(new NewTopic(name, 6, (short) 1))))
          .containsExactly("topic " + name + ": exists, 2 partitions (requested 6)");
    }
  }

  @Test
  void refusesAPartitionCountBelowOne() {
    assertThatThrownBy(() -> LocalTopics.plan(0)).hasMessageContaining("partitions must be at least 1");
  }
}
