package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsistencyTokenTest {

  @Test
  void roundTrips() {
    var token = new ConsistencyToken(UUID.randomUUID(), 12, Instant.parse("2026-11-24T10:15:30.123456Z"));
    assertThat(token.encode()).startsWith("t1.").doesNotContain("=", "+", "/");
    assertThat(ConsistencyToken.decode(token.encode())).isEqualTo(token);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "t1.", "t1.!!!!", "t2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "t1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "t1.AAAA"})
  void refusesAnythingElse(String text) {
    assertThatThrownBy(() -> ConsistencyToken.decode(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a consistency token");
  }
}
