package dev.tally.projector;

import dev.tally.platform.KafkaHealthIndicator;
import dev.tally.platform.TopicNames;
import dev.tally.platform.streams.StreamsRuntime;
import dev.tally.projector.account.AccountProjection;
import dev.tally.projector.runtime.ProjectionLag;
import dev.tally.projector.runtime.ProjectionMetrics;
import dev.tally.projector.runtime.ProjectorTopologyConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.Topology;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Explicit wiring of the projector: the account projection's topology, its runtime, metrics and health. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ProjectorProperties.class)
class ProjectorConfiguration {

  /** The migrations grant read access to this role (Flyway placeholder {@code reader_role}). */
  @Bean
  FlywayConfigurationCustomizer readerRolePlaceholder(ProjectorProperties settings) {
    return configuration -> configuration.placeholders(Map.of("reader_role", settings.readerRole()));
  }

  @Bean
  ProjectionMetrics accountProjectionMetrics(MeterRegistry registry) {
    return new ProjectionMetrics(registry, AccountProjection.NAME);
  }

  @Bean
  ProjectorTopologyConfig accountProjectionConfig(TopicNames topics, DataSource dataSource, ProjectorProperties settings,
      ProjectionMetrics metrics) {
    return new ProjectorTopologyConfig(topics.accountEvents(), topics.accountEventsDeadLetters(), AccountProjection.NAME,
        dataSource, settings.notifyChannel(), settings.maxBatchEvents(), metrics);
  }

  @Bean
  StreamsRuntime kafkaStreams(ProjectorTopologyConfig config, KafkaProperties kafka, ProjectorProperties settings) {
    Topology topology = AccountProjection.build(config);
    String bootstrapServers = String.join(",", kafka.getBootstrapServers());
    return new StreamsRuntime(topology, StreamsSettings.of(settings, bootstrapServers), settings.closeTimeout());
  }

  @Bean
  KafkaHealthIndicator kafkaHealthIndicator(Admin admin, TopicNames topics) {
    return new KafkaHealthIndicator(admin, List.of(topics.accountEvents(), topics.accountEventsDeadLetters()),
        Duration.ofSeconds(3));
  }

  @Bean(destroyMethod = "close")
  ProjectionLag accountProjectionLag(Admin admin, DataSource dataSource, KafkaProperties kafka, TopicNames topics,
      ProjectorProperties settings, MeterRegistry registry) {
    return new ProjectionLag(admin, dataSource, String.join(",", kafka.getBootstrapServers()), topics.accountEvents(),
        AccountProjection.NAME, settings.applicationId(), registry, Clock.systemUTC());
  }

  @Bean
  LagSchedule accountProjectionLagSchedule(ProjectionLag lag, ProjectorProperties settings) {
    return new LagSchedule(lag, settings.lagInterval());
  }
}
