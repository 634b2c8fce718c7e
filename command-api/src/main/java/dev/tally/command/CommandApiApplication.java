package dev.tally.command;

import dev.tally.runtime.streams.KafkaHealthIndicator;
import dev.tally.runtime.streams.KafkaPlatformConfiguration;
import dev.tally.runtime.writer.WriterSettings;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** The command API: validates commands over HTTP and has them decided by the single writer. */
@SpringBootApplication
@Import(KafkaPlatformConfiguration.class)
public class CommandApiApplication {

  public static void main(String[] args) {
    SpringApplication.run(CommandApiApplication.class, args);
  }

  @Bean
  KafkaHealthIndicator kafkaHealthIndicator(Admin admin, List<WriterSettings> writers) {
    return new KafkaHealthIndicator(admin, writers.stream()
        .flatMap(writer -> java.util.stream.Stream.of(writer.commandsTopic(), writer.resultsTopic(), writer.eventsTopic()))
        .toList(), Duration.ofSeconds(3));
  }
}
