package dev.tally.runtime.streams;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** UP when the cluster answers within a bound and every topic the service needs exists. */
public class KafkaHealthIndicator extends AbstractHealthIndicator {

  private final Admin admin;
  private final List<String> requiredTopics;
  private final Duration timeout;

  public KafkaHealthIndicator(Admin admin, Collection<String> requiredTopics, Duration timeout) {
    super("Kafka health check failed");
    this.admin = admin;
    this.requiredTopics = List.copyOf(requiredTopics);
    this.timeout = timeout;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws Exception {
    int timeoutMs = (int) timeout.toMillis();
    String clusterId = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
        .clusterId().get(timeoutMs, TimeUnit.MILLISECONDS);
    Set<String> topics = admin.listTopics(new ListTopicsOptions().timeoutMs(timeoutMs))
        .names().get(timeoutMs, TimeUnit.MILLISECONDS);
    List<String> missing = requiredTopics.stream().filter(topic -> !topics.contains(topic)).toList();
    builder.withDetail("clusterId", clusterId);
    if (missing.isEmpty()) {
      builder.up().withDetail("topics", requiredTopics);
    } else {
      builder.down().withDetail("missingTopics", missing);
    }
  }
}
