package dev.tally.projector.runtime;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The headers a dead letter carries: why it could not be projected and where it came from. The
 * record's key, value, timestamp and original headers are kept as they were.
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
  /** On a record held back behind a poison one: the offset of the record that parked its key. */
  public static final String PARKED_BY_OFFSET = "tally.dlq.parked-by.offset";

  private static final int MAX_MESSAGE_LENGTH = 1000;

  /** Why a record went to the dead-letter topic. */
  public enum Reason {
    /** The bytes are not an event Tally can read (not single-object Avro, unknown schema, corrupt). */
    UNDECODABLE("undecodable"),
    /** A readable record that this projection cannot apply (unknown type, inconsistent content). */
    INVALID("invalid"),
    /** A good event held back because an earlier event of the same key is a dead letter. */
    PARKED("parked");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private DeadLetters() {
  }

  /** The original headers plus the dead-letter ones. */
  public static Headers headers(Headers original, String projection, Reason reason, Throwable cause,
      RecordMetadata source, long timestamp, Long parkedByOffset) {
    Headers headers = new RecordHeaders(original.toArray());
    put(headers, REASON, reason.label());
    put(headers, PROJECTION, projection);
    if (cause != null) {
      put(headers, EXCEPTION_CLASS, cause.getClass().getName());
      put(headers, EXCEPTION_MESSAGE, truncate(String.valueOf(cause.getMessage())));
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

  private static String truncate(String message) {
    return message.length() <= MAX_MESSAGE_LENGTH ? message : message.substring(0, MAX_MESSAGE_LENGTH) + "...";
  }
}
