package dev.tally.projector;

import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.projection.ToyProjection;
import dev.tally.runtime.streams.KafkaPlatformConfiguration;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The projector with a second projection registered beside the ledger's: the toy projection of
 * the runtime's tests. Deliberately not a {@code @Configuration}, so that the projector's own
 * component scan never picks it up.
 */
@EnableAutoConfiguration
@Import({KafkaPlatformConfiguration.class, ProjectorConfiguration.class})
class ProjectorWithToys {

  @Bean
  List<Projection<?>> projections() {
    return Stream.concat(Projection.of(dev.tally.ledger.Ledger.SLICES).stream(), Stream.of(ToyProjection.PROJECTION)).toList();
  }
}
