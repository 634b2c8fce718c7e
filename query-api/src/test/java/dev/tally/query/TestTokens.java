package dev.tally.query;

import dev.tally.schemas.ConsistencyToken;
import dev.tally.schemas.ConsistencyTokenKeys;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Consistency tokens as the command API would sign them, with keys as it shares them in the middle
 * of a rotation: "current" signs, "previous" is still listed, so still accepted.
 */
final class TestTokens {

  static final String PREVIOUS_KEY = "previous:" + secret();
  /** What the query APIs under test are configured with ({@code tally.tokens.keys}). */
  static final String KEYS = "current:" + secret() + "," + PREVIOUS_KEY;
  static final ConsistencyTokenKeys SIGNING = ConsistencyTokenKeys.parse(KEYS);

  private TestTokens() {
  }

  /** The token a command that brought {@code aggregate} to {@code version} just now would have returned. */
  static String token(UUID aggregate, long version) {
    return SIGNING.sign(position(aggregate, version, Instant.now()));
  }

  /** Where a command left the account {@code account}. */
  static ConsistencyToken position(UUID account, long version, Instant at) {
    return new ConsistencyToken("account", account.toString(), version, at);
  }

  /**
   * A token in the layout of an earlier version, {@code prefix} then the 32-byte position of that
   * layout (account id, version, time): unsigned {@code t1.}, or the first part of a {@code t2.}.
   */
  static String earlier(String prefix, UUID account, long version) {
    ByteBuffer position = ByteBuffer.allocate(32).putLong(account.getMostSignificantBits())
        .putLong(account.getLeastSignificantBits()).putLong(version).putLong(Instant.now().toEpochMilli() * 1000);
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(position.array());
  }

  /** A secret for a consistency token key: 32 random bytes, base64url. */
  static String secret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
