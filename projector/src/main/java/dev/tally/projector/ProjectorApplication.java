package dev.tally.projector;

import dev.tally.platform.KafkaHealthIndicator;
import dev.tally.platform.KafkaPlatformConfiguration;
import dev.tally.platform.TopicNames;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** The projector: materialises the event log into the PostgreSQL read model. */
@SpringBootApplication
@Import(KafkaPlatformConfiguration.class)
public class ProjectorApplication {

  public static void main(String[] args) {
    SpringApplication.run(ProjectorApplication.class, args);
  }

  @Bean
  KafkaHealthIndicator kafkaHealthIndicator(Admin admin, TopicNames topics) {
    return new KafkaHealthIndicator(admin, List.of(topics.accountEvents()), Duration.ofSeconds(3));
  }
}
