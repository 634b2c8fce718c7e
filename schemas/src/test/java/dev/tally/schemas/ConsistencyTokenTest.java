package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsistencyTokenTest {

  private static final Instant AT = Instant.parse("2026-11-24T10:15:30.123456Z");

  @ParameterizedTest
  @ValueSource(strings = {"4f1c2e3a-0000-4000-8000-000000000001", "order-2026/42", "Ünïcødé ✓ 𝄞", "x"})
  void roundTripsAnyIdText(String id) {
    var token = new ConsistencyToken("account", id, 12, AT);

    assertThat(token.encode()).startsWith("t3.").doesNotContain("=", "+", "/");
    assertThat(ConsistencyToken.decode(token.encode())).isEqualTo(token);
  }

  @Test
  void roundTripsTheLongestTypeAndId() {
    var token = new ConsistencyToken("t".repeat(ConsistencyToken.MAX_TYPE_BYTES),
        "é".repeat(ConsistencyToken.MAX_ID_BYTES / 2) + "i", Long.MAX_VALUE, AT);

    assertThat(ConsistencyToken.decode(token.encode())).isEqualTo(token);
  }

  @Test
  void refusesFieldsOutOfBoundsCountedInBytes() {
    assertThat(ConsistencyToken.fits("t".repeat(65), "id")).isFalse();
    assertThat(ConsistencyToken.fits("account", "i".repeat(256))).isFalse();
    assertThat(ConsistencyToken.fits("account", "é".repeat(128))).as("256 bytes in 128 characters").isFalse();
    assertThat(ConsistencyToken.fits("account", "")).isFalse();
    assertThat(ConsistencyToken.fits("", "id")).isFalse();
    assertThat(ConsistencyToken.fits("account", "\uD800")).as("a lone surrogate has no UTF-8").isFalse();
    assertThatThrownBy(() -> new ConsistencyToken("account", "i".repeat(256), 1, AT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("an id of 1 to 255 bytes");
  }

  @Test
  void anUntypedPositionAWriterRememberedTakesTheTypeOfTheWriterThatAnswers() {
    UUID id = UUID.randomUUID();
    ByteBuffer bytes = ByteBuffer.allocate(32).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
        .putLong(3).putLong(1_700_000_000_000_000L);
    String remembered = "t1." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());

    assertThat(ConsistencyToken.decodePosition(remembered, "account"))
        .isEqualTo(new ConsistencyToken("account", id.toString(), 3, Instant.ofEpochSecond(1_700_000_000L)));
    var typed = new ConsistencyToken("transfer", "t-1", 2, AT);
    assertThat(ConsistencyToken.decodePosition(typed.encode(), "account")).isEqualTo(typed);
    assertThatThrownBy(() -> ConsistencyToken.decode(remembered)).hasMessage("not a consistency token");
  }

  @Test
  void refusesLengthsThatDoNotAddUp() {
    String valid = new ConsistencyToken("account", "abc", 1, AT).encode();
    byte[] raw = Base64.getUrlDecoder().decode(valid.substring(3));

    assertThatThrownBy(() -> ConsistencyToken.decode("t3." + encode(append(raw, (byte) 0))))
        .as("a trailing byte").hasMessage("not a consistency token");
    assertThatThrownBy(() -> ConsistencyToken.decode("t3." + encode(Arrays.copyOf(raw, raw.length - 1))))
        .as("a missing byte").hasMessage("not a consistency token");
    byte[] invalidUtf8 = raw.clone();
    invalidUtf8[raw.length - 1] = (byte) 0xff;
    assertThatThrownBy(() -> ConsistencyToken.decode("t3." + encode(invalidUtf8)))
        .as("bytes that are not UTF-8").hasMessage("not a consistency token");
    byte[] emptyType = ByteBuffer.allocate(20).putLong(1).putLong(1).put((byte) 0).put((byte) 'x').put((byte) 1)
        .put("i".getBytes(StandardCharsets.UTF_8)).array();
    assertThatThrownBy(() -> ConsistencyToken.decode("t3." + encode(emptyType))).hasMessage("not a consistency token");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "t3.", "t3.!!!!", "t2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "t1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "t3.AAAA", "t3.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
  void refusesAnythingElse(String text) {
    assertThatThrownBy(() -> ConsistencyToken.decode(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a consistency token");
  }

  private static byte[] append(byte[] bytes, byte more) {
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    longer[bytes.length] = more;
    return longer;
  }

  private static String encode(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
