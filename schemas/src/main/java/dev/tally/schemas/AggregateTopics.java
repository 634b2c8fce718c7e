package dev.tally.schemas;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The four topics of one aggregate type, derived from its name so that no service, tool or
 * deployment spells them by hand: {@code tally.<type>-commands}, {@code tally.<type>-events},
 * {@code tally.<type>-command-results} and {@code tally.<type>-events.dead-letters}. The derived
 * names are part of the wire contract; a service may still be pointed elsewhere by configuration.
 *
 * @param commands commands on their way to the single writer of their aggregate's partition
 * @param events the source of truth: every event of the type, kept forever, keyed by aggregate id
 * @param results the single writer's answer to each command
 * @param deadLetters events a projection could not decode or apply, with headers saying why and where from
 */
public record AggregateTopics(String commands, String events, String results, String deadLetters) {

  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

  public AggregateTopics {
    Objects.requireNonNull(commands, "commands");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(results, "results");
    Objects.requireNonNull(deadLetters, "deadLetters");
  }

  /** The topics of an aggregate type, named after it. */
  public static AggregateTopics of(String aggregateType) {
    String prefix = "tally." + requireType(aggregateType);
    return new AggregateTopics(prefix + "-commands", prefix + "-events", prefix + "-command-results",
        prefix + "-events.dead-letters");
  }

  /**
   * The aggregate type, if it can name topics, state stores and application ids: lower-case words
   * joined by hyphens.
   */
  public static String requireType(String aggregateType) {
    if (aggregateType == null || !TYPE.matcher(aggregateType).matches()) {
      throw new IllegalArgumentException("an aggregate type is lower-case words joined by hyphens, not " + aggregateType);
    }
    return aggregateType;
  }
}
