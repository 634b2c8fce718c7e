package dev.tally.runtime.projection;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The headers a dead letter carries: why it could not be projected, where it came from, and which
 * generation of the read model (and application) sent it, so that a rebuild's copies can be told
 * from the live one's. The record's key, value, timestamp and original headers are kept as they were.
 */
public final class DeadLetters {

  public static final String REASON = "tally.dlq.reason";
  public static final String PROJECTION = "tally.dlq.projection";
  public static final String EXCEPTION_CLASS = "tally.dlq.exception.class";
  public static final String EXCEPTION_MESSAGE = "tally.dlq.exception.message";
  public static final String SOURCE_TOPIC = "tally.dlq.source.topic";
  public static final String SOURCE_PARTITION = "tally.dlq.source.partition";
  public static final String SOURCE_OFFSET = "tally.dlq.source.offset";
  public static final String SOURCE_TIMESTAMP = "tally.dlq.source.timestamp";
  /** On a record held back behind a parked one: the offset of the record that parked its key. */
  public static final String PARKED_BY_OFFSET = "tally.dlq.parked-by.offset";
  /** The read model's generation (its number) whose projector sent the dead letter. */
  public static final String GENERATION = "tally.dlq.generation";
  /** The Kafka Streams application (consumer group) that sent it. */
  public static final String APPLICATION_ID = "tally.dlq.application-id";

  private static final int MAX_MESSAGE_LENGTH = 1000;

  /** Why a record went to the dead-letter topic; all but {@link #PARKED} also say why a key is parked. */
  public enum Reason {
    /** The bytes are not a record this projection can read (not single-object Avro, corrupt body). */
    UNDECODABLE("undecodable"),
    /** A readable record that this projection cannot apply (unknown type, inconsistent content). */
    INVALID("invalid"),
    /** A version after a missing one: the aggregate's history has a hole. */
    GAP("gap"),
    /** A version already applied as another event. */
    CONFLICT("conflict"),
    /** A version below the one already applied. */
    OVERLAP("overlap"),
    /** The database refused the event's values (a value out of its range, say). */
    REFUSED("refused"),
    /** A good event held back because an earlier record of the same key is parked. */
    PARKED("parked");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    /** The reason whose label starts {@code text} (a parked key's reason), if any. */
    public static Reason of(String text) {
      return Arrays.stream(values()).filter(reason -> text.startsWith(reason.label + ":") || text.equals(reason.label))
          .findFirst().orElse(INVALID);
    }
  }

  private DeadLetters() {
  }

  /**
   * The original headers plus the dead-letter ones.
   *
   * @param exceptionClass the exception that rejected the record, if one did
   * @param message why, in words
   */
  static Headers headers(Headers original, ProjectorTopologyConfig config, Reason reason,
      String exceptionClass, String message, RecordMetadata source, long timestamp, Long parkedByOffset) {
    Headers headers = new RecordHeaders(original.toArray());
    put(headers, REASON, reason.label());
    put(headers, PROJECTION, config.projection());
    put(headers, GENERATION, Integer.toString(config.generation()));
    put(headers, APPLICATION_ID, config.applicationId());
    if (exceptionClass != null) {
      put(headers, EXCEPTION_CLASS, exceptionClass);
    }
    if (message != null) {
      put(headers, EXCEPTION_MESSAGE, truncate(message));
    }
    put(headers, SOURCE_TOPIC, source.topic());
    put(headers, SOURCE_PARTITION, Integer.toString(source.partition()));
    put(headers, SOURCE_OFFSET, Long.toString(source.offset()));
    put(headers, SOURCE_TIMESTAMP, Long.toString(timestamp));
    if (parkedByOffset != null) {
      put(headers, PARKED_BY_OFFSET, Long.toString(parkedByOffset));
    }
    return headers;
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  static String truncate(String message) {
    return message.length() <= MAX_MESSAGE_LENGTH ? message : message.substring(0, MAX_MESSAGE_LENGTH) + "...";
  }
}
