package dev.tally.runtime.streams;

import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/** Wiring every Kafka-facing service imports: topic names, one shared Admin client, its health. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TopicNames.class)
public class KafkaPlatformConfiguration {

  /** Closed with a bound, so that shutdown does not hang when the broker went away first. */
  @Bean(destroyMethod = "")
  Admin kafkaAdminClient(KafkaAdmin kafkaAdmin) {
    return Admin.create(kafkaAdmin.getConfigurationProperties());
  }

  @Bean
  DisposableBean kafkaAdminClientCloser(Admin kafkaAdminClient) {
    return () -> kafkaAdminClient.close(Duration.ofSeconds(5));
  }
}
