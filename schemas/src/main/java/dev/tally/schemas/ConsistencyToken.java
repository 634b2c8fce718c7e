package dev.tally.schemas;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * What a command returns so that a later read can wait until the read model covers it: the
 * aggregate it changed, the version it brought that aggregate to, and when.
 *
 * <p>Exact by construction: the projector applies each partition in order and commits rows and
 * offsets together, so the aggregate's row at (at least) this version proves that this write and
 * everything before it on that aggregate is visible. Encoded ({@link #encode()}) it is the
 * writer's unsigned answer: {@code t1.} followed by 32 bytes in unpadded base64url (id, version,
 * time in microseconds). Clients only ever see it signed, by {@link ConsistencyTokenKeys}.
 */
public record ConsistencyToken(UUID aggregateId, long version, Instant occurredAt) {

  private static final String PREFIX = "t1.";
  private static final int LENGTH = 32;

  public ConsistencyToken {
    if (aggregateId == null || occurredAt == null || version < 1) {
      throw new IllegalArgumentException("a consistency token needs an aggregate id, a version >= 1 and a time");
    }
  }

  public String encode() {
    return PREFIX + payload();
  }

  /**
   * Reads a token written by {@link #encode()}.
   *
   * @throws IllegalArgumentException if the text is not such a token
   */
  public static ConsistencyToken decode(String text) {
    if (text == null || !text.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not a consistency token");
    }
    return fromPayload(text.substring(PREFIX.length()));
  }

  /** The 32 bytes in unpadded base64url, without a prefix: what {@link ConsistencyTokenKeys} signs. */
  String payload() {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, occurredAt);
    ByteBuffer bytes = ByteBuffer.allocate(LENGTH)
        .putLong(aggregateId.getMostSignificantBits())
        .putLong(aggregateId.getLeastSignificantBits())
        .putLong(version)
        .putLong(micros);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  static ConsistencyToken fromPayload(String payload) {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(payload);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a consistency token");
    }
    if (raw.length != LENGTH) {
      throw new IllegalArgumentException("not a consistency token");
    }
    ByteBuffer bytes = ByteBuffer.wrap(raw);
    UUID id = new UUID(bytes.getLong(), bytes.getLong());
    long version = bytes.getLong();
    long micros = bytes.getLong();
    if (version < 1 || micros < 0) {
      throw new IllegalArgumentException("not a consistency token");
    }
    return new ConsistencyToken(id, version, Instant.EPOCH.plus(micros, ChronoUnit.MICROS));
  }
}
