package dev.tally.projector;

import dev.tally.platform.KafkaHealthIndicator;
import dev.tally.platform.TopicNames;
import dev.tally.platform.streams.StreamsRuntime;
import dev.tally.projector.account.AccountProjection;
import dev.tally.projector.runtime.ProjectionHealth;
import dev.tally.projector.runtime.ProjectionLag;
import dev.tally.projector.runtime.ProjectionMetrics;
import dev.tally.projector.runtime.ProjectorTopologyConfig;
import dev.tally.projector.runtime.Reconciler;
import dev.tally.readmodel.Generation;
import dev.tally.readmodel.Generations;
import dev.tally.schemas.AggregateTopics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.Topology;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Explicit wiring of the projector: the read model's generations, the account projection of each, metrics and health. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ProjectorProperties.class)
class ProjectorConfiguration {

  /** The read model's generations; each one's migrations grant read access to the reader role. */
  @Bean
  Generations generations(DataSource dataSource, ProjectorProperties settings) {
    return new Generations(dataSource, settings.readerRole());
  }

  @Bean
  ProjectionMetrics accountProjectionMetrics(MeterRegistry registry) {
    return new ProjectionMetrics(registry, AccountProjection.NAME);
  }

  /** What stops the projection's tasks, shared by every generation this instance runs. */
  @Bean
  ProjectionHealth projectionHealth() {
    return new ProjectionHealth(Clock.systemUTC());
  }

  /**
   * The account projection of every generation that needs projecting: one Kafka Streams
   * application per generation, writing into that generation's schema (health key {@code kafkaStreams}).
   */
  @Bean
  GenerationRunner kafkaStreams(Generations generations, TopicNames topics, DataSource dataSource,
      KafkaProperties kafka, ProjectorProperties settings, ProjectionMetrics metrics, ProjectionHealth health,
      Admin admin) {
    String bootstrapServers = String.join(",", kafka.getBootstrapServers());
    AggregateTopics source = topics.of(AccountProjection.SOURCE);
    return new GenerationRunner(generations, settings.applicationId(), generation -> {
      boolean building = generation.state() == Generation.State.BUILDING;
      ProjectorTopologyConfig config = new ProjectorTopologyConfig(source.events(),
          source.deadLetters(), AccountProjection.NAME, dataSource, generation.schema(),
          generation.number(), generation.applicationId(), bootstrapServers, settings.notifyChannel(),
          building ? settings.buildMaxBatchEvents() : settings.maxBatchEvents(), metrics, health);
      Topology topology = AccountProjection.build(config);
      return new StreamsRuntime(topology,
          StreamsSettings.of(settings, bootstrapServers, generation.applicationId(), building), settings.closeTimeout());
    }, new Reconciler(admin, dataSource, bootstrapServers, source.events(), AccountProjection.NAME), health,
        settings.generationPoll());
  }

  @Bean
  KafkaHealthIndicator kafkaHealthIndicator(Admin admin, TopicNames topics) {
    AggregateTopics source = topics.of(AccountProjection.SOURCE);
    return new KafkaHealthIndicator(admin, List.of(source.events(), source.deadLetters()), Duration.ofSeconds(3));
  }

  @Bean(destroyMethod = "close")
  ProjectionLag accountProjectionLag(Admin admin, DataSource dataSource, KafkaProperties kafka, TopicNames topics,
      GenerationRunner runner, MeterRegistry registry) {
    return new ProjectionLag(admin, dataSource, String.join(",", kafka.getBootstrapServers()),
        topics.of(AccountProjection.SOURCE).events(),
        AccountProjection.NAME, runner::live, registry, Clock.systemUTC());
  }

  @Bean
  LagSchedule accountProjectionLagSchedule(ProjectionLag lag, ProjectorProperties settings) {
    return new LagSchedule(lag, settings.lagInterval());
  }
}
