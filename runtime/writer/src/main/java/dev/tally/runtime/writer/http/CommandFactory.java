package dev.tally.runtime.writer.http;

import dev.tally.schemas.command.CommandMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.UUID;

/** Builds the envelope of a command: ids, time, expected version, idempotency key and request hash. */
public final class CommandFactory {

  private final Clock clock;

  public CommandFactory(Clock clock) {
    this.clock = clock;
  }

  /**
   * The envelope of one command.
   *
   * @param canonicalRequest every part of the request that makes it this request and no other
   *     (operation, target, fields, expected version); its hash tells a retry from a reuse of the key
   */
  public CommandMetadata metadata(String aggregateId, Long expectedVersion, String idempotencyKey, String correlationId,
      String canonicalRequest) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    return CommandMetadata.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setAggregateId(aggregateId)
        .setExpectedVersion(expectedVersion)
        .setIdempotencyKey(idempotencyKey)
        .setRequestHash(sha256(canonicalRequest + "\n" + expectedVersion))
        .setCorrelationId(correlationId == null ? UUID.randomUUID().toString() : correlationId)
        .setIssuedAt(now)
        .build();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
