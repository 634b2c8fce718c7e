package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.testing.TestInfrastructure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar, run as {@code java -jar} in a child JVM: proves the runtime classpath is complete
 * (Kafka's StreamsResetter with kafka-tools' dependencies trimmed, Avro, Jackson) and that logging
 * stays quiet (one line on stderr when the broker is unreachable).
 */
class CliJarIT {

  @TempDir
  Path work;

  @Test
  void thePackagedJarRunsEverySubcommand() throws Exception {
    String topic = TestInfrastructure.createTopics(2, "jar").getFirst();
    String account = UUID.randomUUID().toString();
    try (var producer = Groups.producer()) {
      AccountOpened opened = AccountOpened.newBuilder()
          .setMetadata(EventMetadata.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId(account)
              .setAggregateType("account").setAggregateVersion(1).setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MICROS))
              .setCommandId("c").setCorrelationId("c").setCausationId("c").build())
          .setOwner("jar").setCurrency("EUR").build();
      producer.send(new ProducerRecord<>(topic, account, AvroCodec.standard().encode(opened)));
      producer.flush();
    }
    String group = TestInfrastructure.uniqueName("jar-group");
    Groups.commit(group, Groups.offsets(topic, 0, 0));
    String kafka = TestInfrastructure.kafkaBootstrapServers();

    Run help = run("--help");
    assertThat(help.exitCode()).as(help.toString()).isZero();
    assertThat(help.out()).contains("status", "rewind", "history");

    Run status = run("status", "--topic", topic, "--bootstrap-servers", kafka);
    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.out()).contains(group);

    Run rewind = run("rewind", "--group", group, "--streams", "--to-latest", "--bootstrap-servers", kafka);
    assertThat(rewind.exitCode()).as(rewind.toString()).isZero();
    assertThat(rewind.out()).contains("StreamsResetter (--dry-run)", "skip");
    assertThat(Groups.committed(group)).isEqualTo(Groups.offsets(topic, 0, 0));

    Run history = run("history", account, "--topic", topic, "--json", "--bootstrap-servers", kafka);
    assertThat(history.exitCode()).as(history.toString()).isZero();
    assertThat(history.out()).contains("account.opened", "\"owner\" : \"jar\"");

    Run unreachable = run("status", "--bootstrap-servers", "127.0.0.1:1");
    assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(1);
    assertThat(unreachable.err().strip().lines().toList()).as(unreachable.toString()).hasSize(1);
  }

  record Run(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private Run run(String... args) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-jar", System.getProperty("tally.cli.jar")));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("tally " + String.join(" ", args) + " did not finish within 60 s");
    }
    Run run = new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    System.out.println("$ tally " + String.join(" ", args) + "\n" + run);
    return run;
  }
}
