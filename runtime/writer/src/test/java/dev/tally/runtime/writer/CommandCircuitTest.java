package dev.tally.runtime.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.tally.testing.Await;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** When the command circuit opens, stays closed, probes and closes again. */
class CommandCircuitTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @Test
  void opensOnlyAfterTheGivenNumberOfUnansweredCommandsInARow() {
    CommandCircuit circuit = new CommandCircuit("test", 3, Duration.ofMinutes(1), 1, meters);
    unanswered(circuit, 2);
    answered(circuit);
    unanswered(circuit, 2);
    assertThat(circuit.state()).as("an answer in between resets the count").isEqualTo(State.CLOSED);
    unanswered(circuit, 1);
    assertThat(circuit.state()).isEqualTo(State.OPEN);
    assertThat(circuit.tryAcquire()).as("an open circuit lets nothing through").isFalse();
  }

  @Test
  void oneSlowCommandAmongAnsweredOnesNeverOpensIt() {
    CommandCircuit circuit = new CommandCircuit("test", 2, Duration.ofMinutes(1), 1, meters);
    for (int i = 0; i < 50; i++) {
      answered(circuit);
      unanswered(circuit, 1);
    }
    assertThat(circuit.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void aSingleFailureCanNeverBeEnoughToOpenIt() {
    assertThatIllegalArgumentException().isThrownBy(() -> new CommandCircuit("test", 1, Duration.ofSeconds(1), 1, meters));
    assertThatIllegalArgumentException().isThrownBy(() -> new CommandCircuit("test", 2, Duration.ZERO, 1, meters));
    assertThatIllegalArgumentException().isThrownBy(() -> new CommandCircuit("test", 2, Duration.ofSeconds(1), 0, meters));
  }

  @Test
  void commandsShedBeforeSendingCountNeitherWay() {
    CommandCircuit circuit = new CommandCircuit("test", 2, Duration.ofMinutes(1), 1, meters);
    for (int i = 0; i < 10; i++) {
      assertThat(circuit.tryAcquire()).isTrue();
      circuit.release();
    }
    unanswered(circuit, 1);
    assertThat(circuit.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void afterItsOpenTimeItLetsProbesThroughAndClosesOnAnAnswerOrReopens() {
    CommandCircuit circuit = new CommandCircuit("test", 2, Duration.ofMillis(200), 1, meters);
    unanswered(circuit, 2);
    assertThat(circuit.state()).isEqualTo(State.OPEN);
    awaitHalfOpen(circuit);

    assertThat(circuit.tryAcquire()).as("the probe").isTrue();
    assertThat(circuit.tryAcquire()).as("beyond the probes").isFalse();
    circuit.unanswered(1, new TimeoutException());
    assertThat(circuit.state()).as("the probe timed out").isEqualTo(State.OPEN);

    awaitHalfOpen(circuit);
    assertThat(circuit.tryAcquire()).isTrue();
    circuit.answered(1);
    assertThat(circuit.state()).as("the probe was answered").isEqualTo(State.CLOSED);
  }

  @Test
  void healthIsDownWhileOpenAndTheStateIsAMetric() {
    CommandCircuit circuit = new CommandCircuit("test", 2, Duration.ofMinutes(1), 1, meters);
    assertThat(circuit.health(true).getStatus()).isEqualTo(Status.UP);
    unanswered(circuit, 2);
    Health health = circuit.health(true);
    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails()).containsEntry("state", "OPEN").containsEntry("retryAfterSeconds", 60L);
    assertThat(meters.get("resilience4j.circuitbreaker.state").tag("name", "test").tag("state", "open").gauge().value())
        .isEqualTo(1.0);
    assertThat(circuit.retryAfter()).isEqualTo(Duration.ofMinutes(1));
  }

  private static void awaitHalfOpen(CommandCircuit circuit) {
    Await.until(Duration.ofSeconds(10), "the circuit is half-open", () -> circuit.state() == State.HALF_OPEN);
  }

  private static void answered(CommandCircuit circuit) {
    assertThat(circuit.tryAcquire()).isTrue();
    circuit.answered(1_000_000);
  }

  private static void unanswered(CommandCircuit circuit, int times) {
    for (int i = 0; i < times; i++) {
      assertThat(circuit.tryAcquire()).isTrue();
      circuit.unanswered(5_000_000_000L, new TimeoutException("no answer"));
    }
  }
}
