package dev.tally.command;

import dev.tally.ledger.Ledger;
import dev.tally.runtime.core.Slice;
import dev.tally.runtime.streams.StreamsRuntime;
import dev.tally.runtime.streams.TopicNames;
import dev.tally.runtime.writer.AggregateBinding;
import dev.tally.runtime.writer.CommandCircuit;
import dev.tally.runtime.writer.CommandGateway;
import dev.tally.runtime.writer.SkippedCommands;
import dev.tally.runtime.writer.WriterSettings;
import dev.tally.runtime.writer.WriterStartCheck;
import dev.tally.runtime.writer.WriterTopology;
import dev.tally.runtime.writer.http.CommandEndpoints;
import dev.tally.runtime.writer.http.CommandGateways;
import dev.tally.schemas.AggregateTopics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionBuilder;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;

/**
 * Wires, for every aggregate registered in the ledger, its single writer (Kafka Streams) and the
 * gateway that HTTP requests use to reach it, and adds each slice's command controllers. The beans
 * of one aggregate are named after it ({@code accountWriter}, {@code accountGateway}, ...), so that
 * health shows one component per writer.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CommandApiProperties.class)
class CommandApiConfiguration {

  /** Adds the beans of every registered aggregate: they exist before any other bean asks for them. */
  @Bean
  static BeanDefinitionRegistryPostProcessor sliceBeans() {
    return registry -> register(registry, Ledger.SLICES);
  }

  /** The writers and controllers of {@code slices}, as bean definitions built by a {@link WriterParts} bean. */
  static void register(BeanDefinitionRegistry registry, List<Slice> slices) {
    BeanFactory beans = (BeanFactory) registry;
    Supplier<WriterParts> parts = () -> beans.getBean(WriterParts.class);
    for (AggregateBinding<?, ?, ?, ?> binding : AggregateBinding.of(slices)) {
      String type = binding.aggregateType();
      define(registry, type + "WriterSettings", WriterSettings.class, () -> parts.get().settings(type));
      define(registry, type + "SkippedCommands", SkippedCommands.class, () -> parts.get().skipped(type));
      define(registry, type + "Writer", StreamsRuntime.class, () -> parts.get().writer(binding));
      define(registry, type + "Replies", ReplyingKafkaTemplate.class, () -> parts.get().replies(type));
      define(registry, type + "Gateway", CommandGateway.class, () -> parts.get().gateway(type));
    }
    for (CommandEndpoints endpoints : Slice.faces(slices, CommandEndpoints.class)) {
      registry.registerBeanDefinition(endpoints.controller().getName(), new RootBeanDefinition(endpoints.controller()));
    }
  }

  private static <T> void define(BeanDefinitionRegistry registry, String name, Class<T> type, Supplier<T> supplier) {
    registry.registerBeanDefinition(name, BeanDefinitionBuilder.genericBeanDefinition(type, supplier).getBeanDefinition());
  }

  @Bean
  WriterParts writerParts(ListableBeanFactory beans, TopicNames topics, CommandApiProperties properties,
      KafkaProperties kafka, MeterRegistry meters, CommandCircuit circuit) {
    return new WriterParts(beans, topics, properties, kafka, meters, circuit);
  }

  /** The gateway of every aggregate type, for the command edge. */
  @Bean
  CommandGateways commandGateways(ListableBeanFactory beans) {
    Map<String, CommandGateway> byType = new HashMap<>();
    for (AggregateBinding<?, ?, ?, ?> binding : AggregateBinding.of(Ledger.SLICES)) {
      byType.put(binding.aggregateType(), beans.getBean(binding.aggregateType() + "Gateway", CommandGateway.class));
    }
    return new CommandGateways(byType);
  }

  /** Builds the parts of one aggregate's writer; the beans of that aggregate are made by it. */
  static final class WriterParts {

    private final BeanFactory beans;
    private final TopicNames topics;
    private final CommandApiProperties properties;
    private final KafkaProperties kafka;
    private final MeterRegistry meters;
    private final CommandCircuit circuit;

    WriterParts(BeanFactory beans, TopicNames topics, CommandApiProperties properties, KafkaProperties kafka,
        MeterRegistry meters, CommandCircuit circuit) {
      this.beans = beans;
      this.topics = topics;
      this.properties = properties;
      this.kafka = kafka;
      this.meters = meters;
      this.circuit = circuit;
    }

    WriterSettings settings(String type) {
      AggregateTopics named = topics.of(type);
      return new WriterSettings(type, named.commands(), named.events(), named.results(),
          properties.replyTimeout(), properties.decisionMargin(), properties.idempotencyWindow());
    }

    SkippedCommands skipped(String type) {
      return new SkippedCommands(meters, type);
    }

    StreamsRuntime writer(AggregateBinding<?, ?, ?, ?> binding) {
      String type = binding.aggregateType();
      WriterSettings settings = beans.getBean(type + "WriterSettings", WriterSettings.class);
      SkippedCommands skipped = beans.getBean(type + "SkippedCommands", SkippedCommands.class);
      String applicationId = properties.applicationId(type);
      Properties config = new Properties();
      config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
      config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", kafka.getBootstrapServers()));
      config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
      config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, properties.commitInterval().toMillis());
      // The thread commits between polls: a long poll would hold every answer back by up to poll.ms.
      config.put(StreamsConfig.POLL_MS_CONFIG, 5L);
      config.put(StreamsConfig.STATE_DIR_CONFIG, properties.stateDir());
      config.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
      config.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
      config.putAll(properties.streams());
      return new StreamsRuntime(WriterTopology.build(settings, binding, Clock.systemUTC(), skipped), config,
          Duration.ofSeconds(30), List.of(new WriterStartCheck(settings, applicationId,
              Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)))),
          skipped::details);
    }

    ReplyingKafkaTemplate<String, byte[], byte[]> replies(String type) {
      WriterSettings settings = beans.getBean(type + "WriterSettings", WriterSettings.class);
      Map<String, Object> producer = new HashMap<>();
      producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
      producer.put(ProducerConfig.ACKS_CONFIG, "all");
      producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      producer.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      int bound = (int) properties.replyTimeout().toMillis();
      producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, bound);
      producer.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, bound);
      producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, bound);

      // Every instance reads every reply partition and keeps the replies it is waiting for. Its group
      // is its own and never commits, so it leaves nothing behind when the instance stops.
      Map<String, Object> consumer = new HashMap<>();
      consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
      consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "tally-command-api-replies-" + UUID.randomUUID());
      consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
      consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      // A result is only true once the writer's transaction committed: never read an aborted one.
      consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumer.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
      ContainerProperties container = new ContainerProperties(settings.resultsTopic());
      container.setAckMode(ContainerProperties.AckMode.MANUAL);
      container.setAssignmentCommitOption(ContainerProperties.AssignmentCommitOption.NEVER);

      var template = new ReplyingKafkaTemplate<>(
          new DefaultKafkaProducerFactory<>(producer, new StringSerializer(), new ByteArraySerializer()),
          new KafkaMessageListenerContainer<>(
              new DefaultKafkaConsumerFactory<>(consumer, new StringDeserializer(), new ByteArrayDeserializer()),
              container));
      template.setSharedReplyTopic(true);
      template.setDefaultReplyTimeout(properties.replyTimeout());
      return template;
    }

    @SuppressWarnings("unchecked")
    CommandGateway gateway(String type) {
      WriterSettings settings = beans.getBean(type + "WriterSettings", WriterSettings.class);
      ReplyingKafkaTemplate<String, byte[], byte[]> template = beans.getBean(type + "Replies", ReplyingKafkaTemplate.class);
      return new CommandGateway(template, settings.commandsTopic(), properties.replyTimeout(), properties.maxInFlight(),
          meters, circuit);
    }
  }
}
