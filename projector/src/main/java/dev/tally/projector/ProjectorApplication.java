package dev.tally.projector;

import dev.tally.runtime.streams.KafkaPlatformConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/** The projector: materialises the event log into the PostgreSQL read model. */
@SpringBootApplication
@Import({KafkaPlatformConfiguration.class, ProjectorConfiguration.class})
public class ProjectorApplication {

  public static void main(String[] args) {
    SpringApplication.run(ProjectorApplication.class, args);
  }
}
