package dev.tally.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TestInfrastructureTest {

  @Test
  void theBrokerAcceptsTransactionalWritesThatReadCommittedConsumersSee() throws Exception {
    String topic = TestInfrastructure.createTopics(2, "infra").getFirst();
    Map<String, Object> producerConfig = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, TestInfrastructure.uniqueName("tx"));
    try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "key", "committed"));
      producer.commitTransaction();
    }
    Map<String, Object> consumerConfig = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, TestInfrastructure.uniqueName("group"),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      List<String> values = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach((ConsumerRecord<String, String> r) -> values.add(r.value()));
      }
      assertThat(values).containsExactly("committed");
    }
  }

  @Test
  void everyNewDatabaseIsEmptyAndSeparate() throws Exception {
    TestInfrastructure.Database first = TestInfrastructure.newDatabase();
    TestInfrastructure.Database second = TestInfrastructure.newDatabase();
    assertThat(first.database()).isNotEqualTo(second.database());
    try (Connection connection = first.connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE probe (id int PRIMARY KEY)");
      statement.execute("INSERT INTO probe VALUES (1)");
    }
    try (Connection connection = second.connect(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_name = 'probe'")) {
      rows.next();
      assertThat(rows.getInt(1)).isZero();
    }
  }

  /** The tests run on Linux and macOS, x86-64 and arm64: one binary archive of each, on the classpath. */
  @ParameterizedTest
  @ValueSource(strings = {"linux-x86_64", "linux-arm_64", "darwin-x86_64", "darwin-arm_64"})
  void carriesPostgreSqlForEveryMachineEmbeddedPostgresPublishes(String platform) throws Exception {
    assertThat(Collections.list(TestInfrastructure.class.getClassLoader().getResources("postgres-" + platform + ".txz")))
        .hasSize(1);
  }
}
