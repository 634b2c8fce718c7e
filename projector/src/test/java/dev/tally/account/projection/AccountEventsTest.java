package dev.tally.account.projection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccountEventsTest {

  @ParameterizedTest
  @ValueSource(strings = {"123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000",
      "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"})
  void canonicalUuidsAreParsed(String text) {
    assertThat(AccountEvents.parseUuid(text)).isEqualTo(UUID.fromString(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-4266141740000",
      "123e4567e89b-12d3-a456-4266141740000", "123e4567-e89b-12d3-a456_426614174000", "g23e4567-e89b-12d3-a456-426614174000",
      "1-2-3-4-5", "123e4567-e89b-12d3-a456-42661417400 ", "{23e4567-e89b-12d3-a456-426614174000"})
  void anythingElseIsNot(String text) {
    assertThat(AccountEvents.parseUuid(text)).isNull();
  }

  @Test
  void nullIsNot() {
    assertThat(AccountEvents.parseUuid(null)).isNull();
  }
}
