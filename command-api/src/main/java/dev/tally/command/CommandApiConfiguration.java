package dev.tally.command;

import dev.tally.command.account.AccountBinding;
import dev.tally.runtime.streams.TopicNames;
import dev.tally.runtime.writer.CommandCircuit;
import dev.tally.runtime.writer.CommandGateway;
import dev.tally.runtime.streams.StreamsRuntime;
import dev.tally.runtime.writer.AggregateBinding;
import dev.tally.runtime.writer.SkippedCommands;
import dev.tally.runtime.writer.WriterSettings;
import dev.tally.runtime.writer.WriterStartCheck;
import dev.tally.runtime.writer.WriterTopology;
import dev.tally.schemas.AggregateTopics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;

/** Wires the single writer (Kafka Streams) of an aggregate and the gateway that HTTP requests use to reach it. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CommandApiProperties.class)
class CommandApiConfiguration {

  /** The aggregate this service writes: the one bean that names it. */
  @Bean
  AggregateBinding<?, ?, ?, ?> binding() {
    return new AccountBinding();
  }

  @Bean
  WriterSettings writerSettings(TopicNames topics, CommandApiProperties properties,
      AggregateBinding<?, ?, ?, ?> binding) {
    AggregateTopics named = topics.of(binding.aggregateType());
    return new WriterSettings(binding.aggregateType(), named.commands(), named.events(), named.results(),
        properties.replyTimeout(), properties.decisionMargin(), properties.idempotencyWindow());
  }

  @Bean
  SkippedCommands skippedCommands(MeterRegistry meters, AggregateBinding<?, ?, ?, ?> binding) {
    return new SkippedCommands(meters, binding.aggregateType());
  }

  /** Named so, its health shows as {@code accountWriter}, as it always has. */
  @Bean
  StreamsRuntime accountWriter(WriterSettings settings, KafkaProperties kafka, CommandApiProperties properties,
      SkippedCommands skipped, AggregateBinding<?, ?, ?, ?> binding) {
    String applicationId = properties.applicationId(settings.aggregateType());
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
            Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)))), skipped::details);
  }

  @Bean
  ReplyingKafkaTemplate<String, byte[], byte[]> commandTemplate(KafkaProperties kafka, WriterSettings settings,
      CommandApiProperties properties) {
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

  @Bean
  CommandGateway commandGateway(ReplyingKafkaTemplate<String, byte[], byte[]> template, WriterSettings settings,
      CommandApiProperties properties, MeterRegistry meters, CommandCircuit circuit) {
    return new CommandGateway(template, settings.commandsTopic(), properties.replyTimeout(), properties.maxInFlight(),
        meters, circuit);
  }
}
