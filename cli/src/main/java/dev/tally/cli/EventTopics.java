package dev.tally.cli;

import dev.tally.schemas.AggregateTopics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events topic of each aggregate type: {@code tally.<type>-events} ({@link AggregateTopics}),
 * unless {@code --topic [TYPE=]TOPIC} names another. A bare {@code TOPIC} is the events topic of
 * the one aggregate type a command works on; with several, each must be named.
 */
public final class EventTopics {

  /** What {@code --topic} says, for every command that takes it. */
  static final String OPTION_DESCRIPTION = "The events topic of an aggregate type, as TYPE=TOPIC (repeatable); a bare "
      + "TOPIC when only one type is registered (default: tally.<type>-events).";

  private final Map<String, String> overrides;

  private EventTopics(Map<String, String> overrides) {
    this.overrides = Map.copyOf(overrides);
  }

  /** Every aggregate type's own topic. */
  public static EventTopics standard() {
    return new EventTopics(Map.of());
  }

  /** Some aggregate types' topics, by type; the others' are their own. */
  public static EventTopics of(Map<String, String> topicsByType) {
    return new EventTopics(topicsByType);
  }

  /**
   * {@code --topic} options ({@code TYPE=TOPIC}, or a bare {@code TOPIC} when {@code types} has one
   * type) for a command over {@code types}.
   *
   * @throws IllegalArgumentException for an unknown type, or a bare topic with several types
   */
  static EventTopics parse(List<String> options, List<String> types) {
    Map<String, String> overrides = new HashMap<>();
    for (String option : options) {
      int equals = option.indexOf('=');
      String type;
      if (equals >= 0) {
        type = option.substring(0, equals);
        if (!types.contains(type)) {
          throw new IllegalArgumentException("--topic " + option + ": " + type + " is not one of the aggregate types "
              + types);
        }
      } else if (types.size() == 1) {
        type = types.getFirst();
      } else {
        throw new IllegalArgumentException("--topic " + option + ": name the aggregate type, one of " + types
            + " (--topic TYPE=TOPIC)");
      }
      if (overrides.put(type, option.substring(equals + 1)) != null) {
        throw new IllegalArgumentException("--topic names the topic of " + type + " twice");
      }
    }
    return new EventTopics(overrides);
  }

  /** The events topic of {@code aggregateType}. */
  public String of(String aggregateType) {
    return overrides.getOrDefault(aggregateType, AggregateTopics.of(aggregateType).events());
  }
}
