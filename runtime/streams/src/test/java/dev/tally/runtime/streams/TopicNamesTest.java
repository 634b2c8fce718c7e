package dev.tally.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.AggregateTopics;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class TopicNamesTest {

  @Test
  void anAggregateTypeNotConfiguredGetsItsDerivedTopics() {
    assertThat(bind(Map.of()).of("parcel")).isEqualTo(AggregateTopics.of("parcel"));
  }

  @Test
  void aConfiguredTopicReplacesOnlyItsOwnNameAndOnlyForItsType() {
    TopicNames names = bind(Map.of("tally.topics.parcel.events", "elsewhere.events",
        "tally.topics.parcel.dead-letters", "elsewhere.dlq"));
    AggregateTopics derived = AggregateTopics.of("parcel");

    assertThat(names.of("parcel"))
        .isEqualTo(new AggregateTopics(derived.commands(), "elsewhere.events", derived.results(), "elsewhere.dlq"));
    assertThat(names.of("crate")).isEqualTo(AggregateTopics.of("crate"));
  }

  private static TopicNames bind(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("tally", TopicNames.class);
  }
}
