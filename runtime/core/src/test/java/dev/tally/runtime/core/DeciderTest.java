package dev.tally.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeciderTest {

  /** A counter: "add n" commands, "added n" events, and a rejection for negative numbers. */
  private static final Decider<Integer, Integer, Integer, String> COUNTER = new Decider<>() {
    @Override public Integer initialState() { return 0; }

    @Override public Decision<Integer, String> decide(Integer command, Integer state) {
      return command < 0 ? Decision.reject("negative") : command == 0 ? Decision.accept() : Decision.accept(command);
    }

    @Override public Integer evolve(Integer state, Integer event) { return state + event; }
  };

  private final DeciderSpec<Integer, Integer, Integer, String> spec = DeciderSpec.of(COUNTER);

  @Test
  void foldAppliesEventsInOrderFromTheInitialState() {
    assertThat(COUNTER.fold(List.of())).isZero();
    assertThat(COUNTER.fold(List.of(1, 2, 3))).isEqualTo(6);
    assertThat(COUNTER.fold(10, List.of(1, 2))).isEqualTo(13);
  }

  @Test
  void acceptedWithNoEventsIsANoOp() {
    assertThat(spec.given(5).when(0).then()).isEqualTo(5);
    assertThat(Decision.<Integer, String>accept(List.of())).isEqualTo(new Decision.Accepted<>(List.of()));
  }

  @Test
  void specReportsEventsRejectionsAndNewState() {
    assertThat(spec.given(1, 2).when(4).then(4)).isEqualTo(7);
    spec.given().when(-1).thenRejectedWith("negative");
    assertThat(spec.given().when(-1).thenRejected(String.class)).isEqualTo("negative");
  }

  @Test
  void acceptedCopiesItsEventsAndRejectedNeedsAReason() {
    List<Integer> events = new ArrayList<>(List.of(1));
    Decision<Integer, String> decision = Decision.accept(events);
    events.add(2);
    assertThat(((Decision.Accepted<Integer, String>) decision).events()).containsExactly(1);
    assertThatNullPointerException().isThrownBy(() -> Decision.reject(null));
  }
}
