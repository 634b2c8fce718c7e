package dev.tally.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/**
 * A given/when/then DSL for any {@link Decider}: given past events (or a state), when a command,
 * then the expected events or rejection.
 *
 * <pre>{@code
 * spec.given(opened).when(deposit).then(deposited);
 * spec.given().when(deposit).thenRejectedWith(new AccountNotFound());
 * }</pre>
 */
public final class DeciderSpec<C, E, S, R> {

  private final Decider<C, E, S, R> decider;

  private DeciderSpec(Decider<C, E, S, R> decider) {
    this.decider = decider;
  }

  /** A spec for the given decider. */
  public static <C, E, S, R> DeciderSpec<C, E, S, R> of(Decider<C, E, S, R> decider) {
    return new DeciderSpec<>(decider);
  }

  /** The state folded from these events, starting from the initial state. */
  @SafeVarargs
  public final Given given(E... history) {
    return new Given(decider.fold(List.of(history)));
  }

  /** Starts from an explicit state, for states too costly to reach through events. */
  public Given givenState(S state) {
    return new Given(state);
  }

  /** The "given" step: a state to decide against. */
  public final class Given {
    private final S state;

    private Given(S state) {
      this.state = state;
    }

    /** Decides the command against the given state. */
    public Then when(C command) {
      return new Then(state, decider.decide(command, state));
    }
  }

  /** The "then" step: assertions on the decision. */
  public final class Then {
    private final S state;
    private final Decision<E, R> decision;

    private Then(S state, Decision<E, R> decision) {
      this.state = state;
      this.decision = decision;
    }

    /** Asserts the command was accepted with exactly these events, in order; returns the new state. */
    @SafeVarargs
    public final S then(E... expected) {
      assertThat(decision).as("decision").isInstanceOf(Decision.Accepted.class);
      List<E> events = ((Decision.Accepted<E, R>) decision).events();
      assertThat(events).as("events").containsExactly(expected);
      return decider.fold(state, events);
    }

    /** Asserts the command was rejected with a rejection equal to this one. */
    public void thenRejectedWith(R expected) {
      assertThat(decision).as("decision").isEqualTo(new Decision.Rejected<E, R>(expected));
    }

    /** Asserts the command was rejected with a rejection of this type; returns it for further checks. */
    public <T extends R> T thenRejected(Class<T> type) {
      assertThat(decision).as("decision").isInstanceOf(Decision.Rejected.class);
      R rejection = ((Decision.Rejected<E, R>) decision).rejection();
      assertThat(rejection).as("rejection").isInstanceOf(type);
      return type.cast(rejection);
    }
  }
}
