package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AggregateTopicsTest {

  @Test
  void derivesTheNamesEveryDeploymentAlreadyUses() {
    assertThat(AggregateTopics.of(Aggregates.ACCOUNT)).isEqualTo(new AggregateTopics("tally.account-commands",
        "tally.account-events", "tally.account-command-results", "tally.account-events.dead-letters"));
    assertThat(Writers.applicationId(Aggregates.ACCOUNT)).isEqualTo("tally-account-writer");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Account", "bank account", "account.events", "-account", "account-"})
  void refusesATypeThatCannotNameATopic(String type) {
    assertThatThrownBy(() -> AggregateTopics.of(type))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lower-case words joined by hyphens");
  }
}
