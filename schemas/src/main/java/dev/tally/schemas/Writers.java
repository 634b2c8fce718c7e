package dev.tally.schemas;

/**
 * How a single writer's consumer group is known: part of the operating contract, like the topic
 * names. A single writer's state (aggregate states, remembered answers to idempotency keys) is a
 * source of truth that its input cannot rebuild, so tools must never rewind or reset its group.
 */
public final class Writers {

  /** Every single writer's Kafka Streams application id ends in this; the writer refuses any other. */
  public static final String SUFFIX = "-writer";

  private Writers() {
  }

  /** The default application id of the single writer of an aggregate type: {@code tally-<type>-writer}. */
  public static String applicationId(String aggregateType) {
    return "tally-" + AggregateTopics.requireType(aggregateType) + SUFFIX;
  }

  /** Whether a consumer group (a Streams application id) is a single writer's. */
  public static boolean isWriter(String groupId) {
    return groupId.endsWith(SUFFIX);
  }

  /** The application id, if it names a single writer; otherwise why it cannot. */
  public static String requireWriter(String applicationId) {
    if (!isWriter(applicationId)) {
      throw new IllegalArgumentException("a single writer's application id must end in " + SUFFIX + " (tools tell"
          + " its group by that and never rewind it), not " + applicationId);
    }
    return applicationId;
  }
}
