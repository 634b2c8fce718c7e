package dev.tally.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Await;
import dev.tally.testing.TestInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local state is trusted only when it can be shown to come from this cluster and these changelogs. */
class LocalStateOriginTest {

  @TempDir
  Path stateDir;

  private final String applicationId = TestInfrastructure.uniqueName("origin");
  private final String changelog = applicationId + "-things-changelog";
  private Admin admin;
  private LocalStateOrigin origin;
  private Path task;

  @BeforeEach
  void aChangelogOfFiveRecordsAndATaskDirectory() throws Exception {
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers()));
    createChangelog();
    origin = LocalStateOrigin.of(topology(), applicationId, stateDir);
    task = Files.createDirectories(stateDir.resolve(applicationId).resolve("0_0"));
  }

  @AfterEach
  void close() {
    admin.close();
  }

  @Test
  void stateWithoutARecordOfItsOriginIsWiped() throws Exception {
    assertThat(origin.reasonToWipe(admin)).hasValueSatisfying(why -> assertThat(why).contains("nothing records"));
    origin.record(admin);
    assertThat(origin.reasonToWipe(admin)).isEmpty();
    origin.forget();
    assertThat(origin.reasonToWipe(admin)).isPresent();
  }

  @Test
  void stateBuiltFromAChangelogThatWasDeletedAndMadeAgainIsWiped() throws Exception {
    origin.record(admin);
    admin.deleteTopics(List.of(changelog)).all().get(30, TimeUnit.SECONDS);
    Await.until(Duration.ofSeconds(30), "the changelog is gone", () -> !topics().contains(changelog));
    createChangelog();
    assertThat(origin.reasonToWipe(admin)).hasValueSatisfying(why -> assertThat(why).contains("built from"));
  }

  @Test
  void aCheckpointAtOrBeyondTheChangelogsEndIsWiped() throws Exception {
    origin.record(admin);
    checkpoint(changelog + " 0 4");
    assertThat(origin.reasonToWipe(admin)).isEmpty();
    checkpoint(changelog + " 0 5");
    assertThat(origin.reasonToWipe(admin)).hasValueSatisfying(why -> assertThat(why).contains("beyond", "its end is 5"));
    checkpoint(changelog + " 3 1");
    assertThat(origin.reasonToWipe(admin)).hasValueSatisfying(why -> assertThat(why).contains("no such changelog partition"));
  }

  @Test
  void aCheckpointThatCannotBeReadIsWiped() throws Exception {
    origin.record(admin);
    Files.writeString(task.resolve(".checkpoint"), "7\n1\n" + changelog + " 0 1\n");
    assertThat(origin.reasonToWipe(admin)).hasValueSatisfying(why -> assertThat(why).contains("format"));
    Files.writeString(task.resolve(".checkpoint"), "0\n1\n" + changelog + " zero\n");
    assertThat(origin.reasonToWipe(admin)).hasValueSatisfying(why -> assertThat(why).contains("cannot be read"));
  }

  @Test
  void noLocalStateNeedsNoProof() throws Exception {
    Files.delete(task);
    assertThat(origin.reasonToWipe(admin)).isEmpty();
  }

  private void checkpoint(String line) throws Exception {
    Files.writeString(task.resolve(".checkpoint"), "0\n1\n" + line + "\n");
  }

  private Topology topology() {
    Topology topology = new Topology();
    topology.addSource("in", "unused-input");
    topology.addProcessor("keep", Keep::new, "in");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("things"), Serdes.String(),
        Serdes.String()), "keep");
    return topology;
  }

  /** A processor that does nothing: only its store matters here. */
  private static final class Keep implements Processor<Object, Object, Object, Object> {
    @Override
    public void process(Record<Object, Object> record) {
    }
  }

  private void createChangelog() throws Exception {
    admin.createTopics(List.of(new NewTopic(changelog, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrapServers()),
        new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>(changelog, "k" + i, "v" + i)).get();
      }
    }
  }

  private java.util.Set<String> topics() {
    try {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
