package dev.tally.projector;

import dev.tally.runtime.streams.KafkaHealthIndicator;
import dev.tally.runtime.streams.TopicNames;
import dev.tally.runtime.streams.StreamsRuntime;
import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.projection.ProjectionHealth;
import dev.tally.runtime.projection.ProjectionLag;
import dev.tally.runtime.projection.ProjectionMetrics;
import dev.tally.runtime.projection.ProjectionTopology;
import dev.tally.runtime.projection.ProjectorTopologyConfig;
import dev.tally.runtime.projection.Reconciler;
import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import dev.tally.schemas.AggregateTopics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Explicit wiring of the projector: the read model's generations, the projections the application
 * registers (its {@code List<Projection<?>>} bean: {@link ProjectorApplication#projections()}) in one
 * Kafka Streams application per generation, metrics and health. Nothing here names a projection.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ProjectorProperties.class)
class ProjectorConfiguration {

  /** The read model's generations; each one's migrations grant read access to the reader role. */
  @Bean
  Generations generations(DataSource dataSource, ProjectorProperties settings, List<Projection<?>> projections) {
    return new Generations(dataSource, settings.readerRole(), projections);
  }

  /** What each projection reports about its writes, by projection name. */
  @Bean
  Map<String, ProjectionMetrics> projectionMetrics(MeterRegistry registry, List<Projection<?>> projections) {
    Map<String, ProjectionMetrics> metrics = new LinkedHashMap<>();
    projections.forEach(projection -> metrics.put(projection.name(), new ProjectionMetrics(registry, projection.name())));
    return metrics;
  }

  /** What stops the projections' tasks, shared by every generation this instance runs. */
  @Bean
  ProjectionHealth projectionHealth() {
    return new ProjectionHealth(Clock.systemUTC());
  }

  /**
   * Every projection of every generation that needs projecting: one Kafka Streams application per
   * generation, running every projection, writing into that generation's schema (health key
   * {@code kafkaStreams}).
   */
  @Bean
  GenerationRunner kafkaStreams(Generations generations, TopicNames topics, DataSource dataSource,
      KafkaProperties kafka, ProjectorProperties settings, Map<String, ProjectionMetrics> metrics,
      ProjectionHealth health, Admin admin, List<Projection<?>> projections) {
    String bootstrapServers = String.join(",", kafka.getBootstrapServers());
    return new GenerationRunner(generations, settings.applicationId(), generation -> {
      boolean building = generation.state() == Generation.State.BUILDING;
      List<ProjectionTopology.Projected<?>> projected = projections.stream()
          .<ProjectionTopology.Projected<?>>map(projection -> {
            AggregateTopics source = topics.of(projection.sourceAggregateType());
            ProjectorTopologyConfig config = new ProjectorTopologyConfig(source.events(), source.deadLetters(),
                projection.name(), dataSource, generation.schema(), generation.number(), generation.applicationId(),
                bootstrapServers, settings.notifyChannel(),
                building ? settings.buildMaxBatchEvents() : settings.maxBatchEvents(), metrics.get(projection.name()),
                health);
            return projected(config, projection);
          }).toList();
      return new StreamsRuntime(ProjectionTopology.build(projected),
          StreamsSettings.of(settings, bootstrapServers, generation.applicationId(), building), settings.closeTimeout());
    }, new Reconciler(admin, dataSource, bootstrapServers, projections.stream()
        .map(projection -> new Reconciler.Source(projection.name(), topics.of(projection.sourceAggregateType()).events()))
        .toList()), health, settings.generationPoll());
  }

  private static <E> ProjectionTopology.Projected<E> projected(ProjectorTopologyConfig config, Projection<E> projection) {
    return new ProjectionTopology.Projected<>(config, projection);
  }

  @Bean
  KafkaHealthIndicator kafkaHealthIndicator(Admin admin, TopicNames topics, List<Projection<?>> projections) {
    List<String> required = projections.stream().map(projection -> topics.of(projection.sourceAggregateType()))
        .flatMap(source -> Stream.of(source.events(), source.deadLetters())).distinct().toList();
    return new KafkaHealthIndicator(admin, required, Duration.ofSeconds(3));
  }

  /** The lag of each projection, closed with the context. */
  @Bean
  ProjectionLags projectionLags(Admin admin, DataSource dataSource, KafkaProperties kafka, TopicNames topics,
      GenerationRunner runner, MeterRegistry registry, List<Projection<?>> projections) {
    return new ProjectionLags(projections.stream().map(projection -> new ProjectionLag(admin, dataSource,
        String.join(",", kafka.getBootstrapServers()), topics.of(projection.sourceAggregateType()).events(),
        projection.name(), runner::live, registry, Clock.systemUTC())).toList());
  }

  @Bean
  LagSchedule projectionLagSchedule(ProjectionLags lags, ProjectorProperties settings) {
    return new LagSchedule(lags, settings.lagInterval());
  }
}
