package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsistencyTokenKeysTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ConsistencyToken POSITION =
      new ConsistencyToken("account", UUID.randomUUID().toString(), 7, Instant.parse("2026-11-24T10:15:30.123456Z"));

  static String secret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Test
  void aSignedTokenVerifiesToItsPosition() {
    var keys = ConsistencyTokenKeys.parse("k1:" + secret());

    String token = keys.sign(POSITION);

    assertThat(token).startsWith("t3.k1.").doesNotContain("=", "+", "/").hasSize(3 + 3 + 82 + 1 + 22);
    assertThat(keys.verify(token)).isEqualTo(POSITION);
  }

  @Test
  void theLongestPositionIsSignedAndVerified() {
    var keys = ConsistencyTokenKeys.parse("k1:" + secret());
    var longest = new ConsistencyToken("t".repeat(ConsistencyToken.MAX_TYPE_BYTES), "i".repeat(ConsistencyToken.MAX_ID_BYTES),
        Long.MAX_VALUE, POSITION.occurredAt());

    String token = keys.sign(longest);

    assertThat(keys.verify(token)).isEqualTo(longest);
    assertThatThrownBy(() -> keys.verify("t3.k1." + "A".repeat(451) + "." + "A".repeat(22)))
        .as("a position longer than any token's").hasMessage("not a consistency token");
  }

  @Test
  void aTokenForOneTypeCannotBeMadeToNameAnotherWithTheSameId() {
    var keys = ConsistencyTokenKeys.parse("k1:" + secret());
    String account = keys.sign(POSITION);
    String transfer = keys.sign(new ConsistencyToken("transfer", POSITION.aggregateId(), 7, POSITION.occurredAt()));
    String[] accountParts = account.split("\\.");
    String[] transferParts = transfer.split("\\.");

    assertThat(keys.verify(transfer).aggregateType()).isEqualTo("transfer");
    assertThatThrownBy(() -> keys.verify(String.join(".", "t3", "k1", transferParts[2], accountParts[3])))
        .hasMessage("its signature does not match: not issued by this service");
  }

  @Test
  void aTokenOfTheVersionBeforeTypesIsRefusedSayingSo() {
    var keys = ConsistencyTokenKeys.parse("k1:" + secret());
    String t2 = keys.sign(POSITION).replaceFirst("^t3\\.", "t2.");

    assertThatThrownBy(() -> keys.verify(t2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("a token of an earlier version (t2.), issued before an upgrade, that names no aggregate type");
  }

  @Test
  void theFirstKeySignsAndEveryListedKeyVerifies() {
    String oldKey = "old:" + secret();
    String newKey = "new:" + secret();
    var before = ConsistencyTokenKeys.parse(oldKey);
    var during = ConsistencyTokenKeys.parse(newKey + "," + oldKey);
    var after = ConsistencyTokenKeys.parse(newKey);

    String fromBefore = before.sign(POSITION);
    String fromDuring = during.sign(POSITION);

    assertThat(fromDuring).startsWith("t3.new.");
    assertThat(during.verify(fromBefore)).isEqualTo(POSITION);
    assertThat(after.verify(fromDuring)).isEqualTo(POSITION);
    assertThatThrownBy(() -> after.verify(fromBefore)).hasMessage("signed with a key that is not accepted (any more): old");
    assertThatThrownBy(() -> before.verify(fromDuring)).hasMessage("signed with a key that is not accepted (any more): new");
  }

  @Test
  void aTokenChangedInAnyWayIsRefused() {
    var keys = ConsistencyTokenKeys.parse("k1:" + secret());
    String token = keys.sign(POSITION);
    String further = keys.sign(new ConsistencyToken(POSITION.aggregateType(), POSITION.aggregateId(), Long.MAX_VALUE,
        POSITION.occurredAt()));
    String position = token.split("\\.")[2];
    String otherPosition = further.split("\\.")[2];

    assertThatThrownBy(() -> keys.verify(token.replace(position, otherPosition)))
        .hasMessage("its signature does not match: not issued by this service");
    assertThatThrownBy(() -> ConsistencyTokenKeys.parse("k1:" + secret()).verify(token))
        .as("the same key id with another secret").hasMessage("its signature does not match: not issued by this service");
    int mac = token.lastIndexOf('.') + 1;
    String otherMac = token.substring(0, mac) + (token.charAt(mac) == 'A' ? 'B' : 'A') + token.substring(mac + 1);
    assertThatThrownBy(() -> keys.verify(otherMac)).hasMessage("its signature does not match: not issued by this service");
  }

  @Test
  void anUnsignedTokenOfTheEarlierVersionIsRefusedSayingSo() {
    var keys = ConsistencyTokenKeys.parse("k1:" + secret());

    assertThatThrownBy(() -> keys.verify("t1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("an unsigned token of an earlier version (t1.), no longer accepted");
    assertThatThrownBy(() -> keys.verify(POSITION.encode())).as("a writer's unsigned position")
        .hasMessage("not a consistency token");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "t3.", "t3.k1", "t3.k1..", "t3.k1.AAAA.AAAA", "t3..AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
      "t3.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.", "t3.k 1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
      "t3.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=.AAAAAAAAAAAAAAAAAAAAAA", "T3.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA"})
  void anythingElseIsNotAToken(String text) {
    var keys = ConsistencyTokenKeys.parse("k1:" + secret());

    assertThatThrownBy(() -> keys.verify(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a consistency token");
  }

  @Test
  void theTextFormTakesCommasLineBreaksAndComments() {
    var keys = ConsistencyTokenKeys.parse("# rotated 2026-11-24\n\n a:" + secret() + " , b:" + secret() + "\r\nc:" + secret() + "\n");

    assertThat(keys.ids()).containsExactly("a", "b", "c");
    assertThat(keys.toString()).isEqualTo("ConsistencyTokenKeys[a, b, c]");
  }

  @Test
  void badKeyTextIsRefusedWithoutQuotingASecret() {
    String secret = secret();
    assertThatThrownBy(() -> ConsistencyTokenKeys.parse(secret)).hasMessageContaining("an entry has no ':'")
        .hasMessageNotContaining(secret);
    assertThatThrownBy(() -> ConsistencyTokenKeys.parse("")).hasMessage("no consistency token key is listed");
    assertThatThrownBy(() -> ConsistencyTokenKeys.parse("# only a comment")).hasMessage("no consistency token key is listed");
    assertThatThrownBy(() -> ConsistencyTokenKeys.parse("k/1:" + secret)).hasMessageContaining("id is 1 to 32 characters");
    assertThatThrownBy(() -> ConsistencyTokenKeys.parse("k1:" + secret.substring(0, 40))).hasMessageContaining("at least 32");
    assertThatThrownBy(() -> ConsistencyTokenKeys.parse("k1:" + secret + "+/")).hasMessageContaining("not base64url");
    assertThatThrownBy(() -> ConsistencyTokenKeys.parse("k1:" + secret + ",k1:" + secret())).hasMessageContaining("twice");
  }

  @Test
  void aServiceTakesItsKeysFromExactlyOneOfTextAndFile(@TempDir Path dir) throws Exception {
    String keys = "k1:" + secret();
    Path file = Files.writeString(dir.resolve("token-keys"), keys + "\n");

    assertThat(ConsistencyTokenKeys.configured(keys, null, "tally.tokens").ids()).containsExactly("k1");
    assertThat(ConsistencyTokenKeys.configured(null, file, "tally.tokens").ids()).containsExactly("k1");
    assertThatThrownBy(() -> ConsistencyTokenKeys.configured(null, null, "tally.tokens"))
        .hasMessageStartingWith("set exactly one of tally.tokens.keys and tally.tokens.key-file");
    assertThatThrownBy(() -> ConsistencyTokenKeys.configured(keys, file, "tally.tokens"))
        .hasMessageStartingWith("set exactly one of");
    assertThatThrownBy(() -> ConsistencyTokenKeys.configured(" ", dir.resolve("missing"), "tally.tokens"))
        .hasMessageStartingWith("cannot read the consistency token keys from");
  }
}
