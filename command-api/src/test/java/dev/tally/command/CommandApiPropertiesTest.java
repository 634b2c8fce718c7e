package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings that would break the writer's promises are refused when the command API starts. */
class CommandApiPropertiesTest {

  @Test
  void aWriterWhoseNameToolsCannotRecogniseIsRefused() {
    assertThatThrownBy(() -> properties("tally-accounts", Duration.ofMillis(20), Duration.ofSeconds(1)))
        .hasMessageContaining("must end in -writer");
  }

  @Test
  void aDecisionMarginThatLeavesNoTimeToCommitOrToAnswerIsRefused() {
    assertThatThrownBy(() -> properties("tally-account-writer", Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .hasMessageContaining("commit-interval (PT1S) < decision-margin (PT1S)");
    assertThatThrownBy(() -> properties("tally-account-writer", Duration.ofMillis(20), Duration.ofSeconds(5)))
        .hasMessageContaining("< reply-timeout (PT5S)");
  }

  @Test
  void theDecisionMarginIsAFifthOfTheReplyTimeoutUnlessItIsSet() {
    assertThat(properties("tally-account-writer", Duration.ofMillis(20), null).decisionMargin())
        .isEqualTo(Duration.ofSeconds(1));
  }

  /** Settings with a reply timeout of 5 s. */
  private static CommandApiProperties properties(String applicationId, Duration commitInterval, Duration margin) {
    return new CommandApiProperties(Map.of("account", applicationId), Duration.ofSeconds(5), margin, Duration.ofHours(24), 1000,
        commitInterval, "state", Map.of());
  }
}
