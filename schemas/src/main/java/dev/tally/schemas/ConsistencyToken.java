package dev.tally.schemas;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * What a command returns so that a later read can wait until the read model covers it: the
 * aggregate it changed (its type and its id, whatever text the id is), the version it brought that
 * aggregate to, and when.
 *
 * <p>Exact by construction: the projector applies each partition in order and commits rows and
 * offsets together, so the aggregate at (at least) this version in the read model proves that this
 * write and everything before it on that aggregate is visible. The type is part of the position
 * because ids are only unique within a type: a version of another type's aggregate with the same id
 * must never satisfy it.
 *
 * <p>Encoded ({@link #encode()}) it is the writer's unsigned answer: {@code t3.} followed by, in
 * unpadded base64url, the version and the time in microseconds (8 bytes each), then the type and
 * the id, each as one length byte and its UTF-8 ({@value #MAX_TYPE_BYTES} and {@value #MAX_ID_BYTES}
 * bytes at most). Clients only ever see it signed, by {@link ConsistencyTokenKeys}.
 */
public record ConsistencyToken(String aggregateType, String aggregateId, long version, Instant occurredAt) {

  /** The longest aggregate type a token names, in bytes of UTF-8. */
  public static final int MAX_TYPE_BYTES = 64;
  /** The longest aggregate id a token names, in bytes of UTF-8. */
  public static final int MAX_ID_BYTES = 255;
  static final String PREFIX = "t3.";
  /** The unsigned positions writers stated before tokens named a type: id as a UUID, version, time. */
  private static final String UNTYPED_PREFIX = "t1.";
  private static final int UNTYPED_LENGTH = 32;
  private static final int FIXED_BYTES = 2 * Long.BYTES;

  public ConsistencyToken {
    if (aggregateType == null || aggregateId == null || occurredAt == null || version < 1) {
      throw new IllegalArgumentException("a consistency token needs an aggregate type and id, a version >= 1 and a time");
    }
    if (!fits(aggregateType, aggregateId)) {
      throw new IllegalArgumentException("a consistency token names an aggregate type of 1 to " + MAX_TYPE_BYTES
          + " bytes and an id of 1 to " + MAX_ID_BYTES + " bytes of UTF-8");
    }
  }

  /** Whether a token can name this aggregate: a type and an id within their bounds, neither empty. */
  public static boolean fits(String aggregateType, String aggregateId) {
    return within(aggregateType, MAX_TYPE_BYTES) && within(aggregateId, MAX_ID_BYTES);
  }

  public String encode() {
    return PREFIX + payload();
  }

  /**
   * Reads a writer's position: one written by {@link #encode()}, or an untyped {@code t1.} one that
   * a writer remembered (for an idempotent retry) from before tokens named a type. Only the
   * aggregate's own writer states positions, so such a one is of {@code aggregateType}, the type of
   * the writer that answers.
   *
   * @throws IllegalArgumentException if the text is neither
   */
  public static ConsistencyToken decodePosition(String text, String aggregateType) {
    if (text != null && text.startsWith(UNTYPED_PREFIX)) {
      ByteBuffer bytes = ByteBuffer.wrap(base64(text.substring(UNTYPED_PREFIX.length()), UNTYPED_LENGTH, UNTYPED_LENGTH));
      String id = new UUID(bytes.getLong(), bytes.getLong()).toString();
      return position(aggregateType, id, bytes.getLong(), bytes.getLong());
    }
    return decode(text);
  }

  /**
   * Reads a token written by {@link #encode()}.
   *
   * @throws IllegalArgumentException if the text is not such a token
   */
  public static ConsistencyToken decode(String text) {
    if (text == null || !text.startsWith(PREFIX)) {
      throw notAToken();
    }
    return fromPayload(text.substring(PREFIX.length()));
  }

  /** The fields in unpadded base64url, without a prefix: what {@link ConsistencyTokenKeys} signs. */
  String payload() {
    byte[] type = aggregateType.getBytes(StandardCharsets.UTF_8);
    byte[] id = aggregateId.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bytes = ByteBuffer.allocate(FIXED_BYTES + 2 + type.length + id.length)
        .putLong(version)
        .putLong(ChronoUnit.MICROS.between(Instant.EPOCH, occurredAt))
        .put((byte) type.length).put(type)
        .put((byte) id.length).put(id);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  static ConsistencyToken fromPayload(String payload) {
    ByteBuffer bytes = ByteBuffer.wrap(base64(payload, FIXED_BYTES + 4, FIXED_BYTES + 2 + MAX_TYPE_BYTES + MAX_ID_BYTES));
    long version = bytes.getLong();
    long micros = bytes.getLong();
    String type = text(bytes, MAX_TYPE_BYTES);
    String id = text(bytes, MAX_ID_BYTES);
    if (bytes.hasRemaining()) {
      throw notAToken();
    }
    return position(type, id, version, micros);
  }

  private static ConsistencyToken position(String type, String id, long version, long micros) {
    if (version < 1 || micros < 0) {
      throw notAToken();
    }
    return new ConsistencyToken(type, id, version, Instant.EPOCH.plus(micros, ChronoUnit.MICROS));
  }

  private static byte[] base64(String text, int minBytes, int maxBytes) {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw notAToken();
    }
    if (raw.length < minBytes || raw.length > maxBytes) {
      throw notAToken();
    }
    return raw;
  }

  /** One length byte, then that many bytes of strict UTF-8 (1 to {@code max}). */
  private static String text(ByteBuffer bytes, int max) {
    if (!bytes.hasRemaining()) {
      throw notAToken();
    }
    int length = Byte.toUnsignedInt(bytes.get());
    if (length < 1 || length > max || length > bytes.remaining()) {
      throw notAToken();
    }
    ByteBuffer slice = bytes.slice(bytes.position(), length);
    bytes.position(bytes.position() + length);
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw notAToken();
    }
  }

  private static boolean within(String text, int maxBytes) {
    if (text == null || text.isEmpty() || text.length() > maxBytes) {
      return false;
    }
    // Strict: text a string cannot encode to UTF-8 (a lone surrogate) is refused, not replaced.
    try {
      int bytes = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text)).remaining();
      return bytes <= maxBytes;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static IllegalArgumentException notAToken() {
    return new IllegalArgumentException("not a consistency token");
  }
}
