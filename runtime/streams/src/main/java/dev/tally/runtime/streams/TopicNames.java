package dev.tally.runtime.streams;

import dev.tally.schemas.AggregateTopics;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The topics of each aggregate type a service uses: the names derived from the type (the
 * contract's), unless {@code tally.topics.<type>.<commands|events|results|dead-letters>} says
 * otherwise.
 *
 * @param topics overrides per aggregate type; a topic not named keeps its derived name
 */
@ConfigurationProperties("tally")
public record TopicNames(Map<String, Overrides> topics) {

  public TopicNames {
    topics = topics == null ? Map.of() : Map.copyOf(topics);
  }

  /** The topics of one aggregate type. */
  public AggregateTopics of(String aggregateType) {
    AggregateTopics derived = AggregateTopics.of(aggregateType);
    Overrides named = topics.get(aggregateType);
    if (named == null) {
      return derived;
    }
    return new AggregateTopics(or(named.commands(), derived.commands()), or(named.events(), derived.events()),
        or(named.results(), derived.results()), or(named.deadLetters(), derived.deadLetters()));
  }

  private static String or(String configured, String derived) {
    return configured == null || configured.isBlank() ? derived : configured;
  }

  /** Topic names configured for one aggregate type; each may be left out. */
  public record Overrides(String commands, String events, String results, String deadLetters) {
  }
}
