package dev.tally.projector;

import dev.tally.ledger.Ledger;
import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.streams.KafkaPlatformConfiguration;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** The projector: materialises the event log into the PostgreSQL read model. */
@SpringBootApplication
@Import({KafkaPlatformConfiguration.class, ProjectorConfiguration.class})
public class ProjectorApplication {

  /** The projections this projector runs: every registered slice's. */
  @Bean
  List<Projection<?>> projections() {
    return Projection.of(Ledger.SLICES);
  }

  public static void main(String[] args) {
    SpringApplication.run(ProjectorApplication.class, args);
  }
}
