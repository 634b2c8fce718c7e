package dev.tally.projector;

import dev.tally.runtime.streams.KafkaHealthIndicator;
import dev.tally.runtime.streams.TopicNames;
import dev.tally.runtime.streams.StreamsRuntime;
import dev.tally.projector.account.AccountProjection;
import dev.tally.projector.runtime.Projection;
import dev.tally.projector.runtime.ProjectionHealth;
import dev.tally.projector.runtime.ProjectionLag;
import dev.tally.projector.runtime.ProjectionMetrics;
import dev.tally.projector.runtime.ProjectionTopology;
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

/** Explicit wiring of the projector: the read model's generations, the projection of each, metrics and health. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ProjectorProperties.class)
class ProjectorConfiguration {

  /** The read model's generations; each one's migrations grant read access to the reader role. */
  @Bean
  Generations generations(DataSource dataSource, ProjectorProperties settings) {
    return new Generations(dataSource, settings.readerRole());
  }

  /** The projection this projector runs: the one bean that names it. */
  @Bean
  Projection<?> projection() {
    return new AccountProjection();
  }

  @Bean
  ProjectionMetrics projectionMetrics(MeterRegistry registry, Projection<?> projection) {
    return new ProjectionMetrics(registry, projection.name());
  }

  /** What stops the projection's tasks, shared by every generation this instance runs. */
  @Bean
  ProjectionHealth projectionHealth() {
    return new ProjectionHealth(Clock.systemUTC());
  }

  /**
   * The projection of every generation that needs projecting: one Kafka Streams application per
   * generation, writing into that generation's schema (health key {@code kafkaStreams}).
   */
  @Bean
  GenerationRunner kafkaStreams(Generations generations, TopicNames topics, DataSource dataSource,
      KafkaProperties kafka, ProjectorProperties settings, ProjectionMetrics metrics, ProjectionHealth health,
      Admin admin, Projection<?> projection) {
    String bootstrapServers = String.join(",", kafka.getBootstrapServers());
    AggregateTopics source = topics.of(projection.sourceAggregateType());
    return new GenerationRunner(generations, settings.applicationId(), generation -> {
      boolean building = generation.state() == Generation.State.BUILDING;
      ProjectorTopologyConfig config = new ProjectorTopologyConfig(source.events(),
          source.deadLetters(), projection.name(), dataSource, generation.schema(),
          generation.number(), generation.applicationId(), bootstrapServers, settings.notifyChannel(),
          building ? settings.buildMaxBatchEvents() : settings.maxBatchEvents(), metrics, health);
      Topology topology = ProjectionTopology.build(config, projection);
      return new StreamsRuntime(topology,
          StreamsSettings.of(settings, bootstrapServers, generation.applicationId(), building), settings.closeTimeout());
    }, new Reconciler(admin, dataSource, bootstrapServers, source.events(), projection.name()), health,
        settings.generationPoll());
  }

  @Bean
  KafkaHealthIndicator kafkaHealthIndicator(Admin admin, TopicNames topics, Projection<?> projection) {
    AggregateTopics source = topics.of(projection.sourceAggregateType());
    return new KafkaHealthIndicator(admin, List.of(source.events(), source.deadLetters()), Duration.ofSeconds(3));
  }

  @Bean(destroyMethod = "close")
  ProjectionLag projectionLag(Admin admin, DataSource dataSource, KafkaProperties kafka, TopicNames topics,
      GenerationRunner runner, MeterRegistry registry, Projection<?> projection) {
    return new ProjectionLag(admin, dataSource, String.join(",", kafka.getBootstrapServers()),
        topics.of(projection.sourceAggregateType()).events(), projection.name(), runner::live, registry,
        Clock.systemUTC());
  }

  @Bean
  LagSchedule projectionLagSchedule(ProjectionLag lag, ProjectorProperties settings) {
    return new LagSchedule(lag, settings.lagInterval());
  }
}
