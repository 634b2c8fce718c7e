package dev.tally.query;

import dev.tally.schemas.ConsistencyToken;
import dev.tally.schemas.ConsistencyTokenKeys;
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
    return SIGNING.sign(new ConsistencyToken(aggregate, version, Instant.now()));
  }

  /** A secret for a consistency token key: 32 random bytes, base64url. */
  static String secret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
