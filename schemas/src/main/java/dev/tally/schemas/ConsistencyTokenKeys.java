package dev.tally.schemas;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys that sign the consistency tokens clients get, shared by the service that hands tokens
 * out and the one that honours them. A reader waits for whatever a token says, so it must only
 * believe tokens a writer issued: each token carries an HMAC-SHA256 (truncated to 128 bits) of its
 * content under a key named in the token.
 *
 * <p>Several keys at once, for rotation without downtime: the <em>first</em> key listed signs,
 * every key listed verifies. On the wire: {@code t3.<key id>.<position>.<mac>}, where the position
 * is {@link ConsistencyToken}'s unsigned encoding without its {@code t3.} prefix.
 *
 * <p>Text form (a file, or a setting): entries {@code <key id>:<secret>} separated by commas or
 * line breaks; blank lines and lines starting with {@code #} are ignored. A key id is 1 to 32
 * characters of {@code [A-Za-z0-9_-]}; a secret is at least 32 random bytes in base64url.
 */
public final class ConsistencyTokenKeys {

  private static final String PREFIX = ConsistencyToken.PREFIX;
  private static final String UNSIGNED_PREFIX = "t1.";
  private static final String UNTYPED_PREFIX = "t2.";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  /**
   * Prefix, key id, a position (20 to 337 bytes) and a 16-byte MAC, both in unpadded base64url;
   * bounded, so that no text of any length is decoded, let alone signed.
   */
  private static final Pattern TOKEN = Pattern.compile("t3\\.([A-Za-z0-9_-]{1,32})\\.([A-Za-z0-9_-]{27,450})\\.([A-Za-z0-9_-]{22})");
  private static final int MIN_SECRET_BYTES = 32;
  private static final int MAC_BYTES = 16;
  private static final String ALGORITHM = "HmacSHA256";

  private final String signingKey;
  private final Map<String, SecretKeySpec> keys;

  private ConsistencyTokenKeys(Map<String, SecretKeySpec> keys) {
    this.signingKey = keys.keySet().iterator().next();
    this.keys = keys;
  }

  /**
   * The keys a service is configured with: exactly one of {@code keys} (the text form) and
   * {@code keyFile} (a file holding it) must be given.
   *
   * @param settingPrefix where the service reads the two from ({@code <prefix>.keys},
   *     {@code <prefix>.key-file}), for the message when neither or both are given
   * @throws IllegalArgumentException when neither or both are given, the file cannot be read, or
   *     the text is not valid
   */
  public static ConsistencyTokenKeys configured(String keys, Path keyFile, String settingPrefix) {
    boolean hasKeys = keys != null && !keys.isBlank();
    if (hasKeys == (keyFile != null)) {
      throw new IllegalArgumentException("set exactly one of " + settingPrefix + ".keys and " + settingPrefix
          + ".key-file: the keys that sign consistency tokens, shared by the command and query APIs");
    }
    if (hasKeys) {
      return parse(keys);
    }
    try {
      return parse(Files.readString(keyFile, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the consistency token keys from " + keyFile + ": " + e, e);
    }
  }

  /** Reads the text form; the first entry is the signing key. */
  public static ConsistencyTokenKeys parse(String text) {
    Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    for (String line : text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
      for (String entry : line.split(",")) {
        if (entry.isBlank()) {
          continue;
        }
        // Never quote an entry: it may be a secret.
        int colon = entry.indexOf(':');
        if (colon < 0) {
          throw new IllegalArgumentException("a consistency token key is <id>:<secret>; an entry has no ':'");
        }
        String id = entry.substring(0, colon).strip();
        if (!ID.matcher(id).matches()) {
          throw new IllegalArgumentException("a consistency token key id is 1 to 32 characters of [A-Za-z0-9_-]");
        }
        byte[] secret;
        try {
          secret = Base64.getUrlDecoder().decode(entry.substring(colon + 1).strip());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("the secret of consistency token key " + id + " is not base64url");
        }
        if (secret.length < MIN_SECRET_BYTES) {
          throw new IllegalArgumentException("the secret of consistency token key " + id + " has " + secret.length
              + " bytes; at least " + MIN_SECRET_BYTES + " random bytes are needed");
        }
        if (keys.putIfAbsent(id, new SecretKeySpec(secret, ALGORITHM)) != null) {
          throw new IllegalArgumentException("consistency token key " + id + " is listed twice");
        }
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no consistency token key is listed");
    }
    return new ConsistencyTokenKeys(keys);
  }

  /** The ids of the keys, the signing key first. */
  public List<String> ids() {
    return List.copyOf(keys.keySet());
  }

  /** The token a client gets: {@code position} signed with the first key. */
  public String sign(ConsistencyToken position) {
    String signed = PREFIX + signingKey + "." + position.payload();
    return signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(keys.get(signingKey), signed));
  }

  /**
   * The position a client's token stands for, if one of these keys signed it.
   *
   * @throws IllegalArgumentException saying why it is not: not a token, a token of an earlier
   *     version (unsigned {@code t1.}, or {@code t2.}, which names no aggregate type), a key not
   *     listed (any more), or a signature that does not match
   */
  public ConsistencyToken verify(String token) {
    if (token.startsWith(UNSIGNED_PREFIX)) {
      throw new IllegalArgumentException("an unsigned token of an earlier version (t1.), no longer accepted: "
          + "use the token of a newer command answer, or read without one");
    }
    if (token.startsWith(UNTYPED_PREFIX)) {
      throw new IllegalArgumentException("a token of an earlier version (t2.), issued before an upgrade, that names "
          + "no aggregate type; no longer accepted: use the token of a newer command answer, or read without one");
    }
    Matcher parts = TOKEN.matcher(token);
    if (!parts.matches()) {
      throw new IllegalArgumentException("not a consistency token");
    }
    SecretKeySpec key = keys.get(parts.group(1));
    if (key == null) {
      throw new IllegalArgumentException("signed with a key that is not accepted (any more): " + parts.group(1));
    }
    byte[] claimed = Base64.getUrlDecoder().decode(parts.group(3));
    if (!MessageDigest.isEqual(claimed, mac(key, token.substring(0, parts.start(3) - 1)))) {
      throw new IllegalArgumentException("its signature does not match: not issued by this service");
    }
    return ConsistencyToken.fromPayload(parts.group(2));
  }

  @Override
  public String toString() {
    return "ConsistencyTokenKeys" + ids();
  }

  private static byte[] mac(SecretKeySpec key, String signed) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return Arrays.copyOf(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)), MAC_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is part of every JDK", e);
    }
  }
}
