package dev.tally.runtime.core;

import java.util.List;

/**
 * A pure fold of an aggregate's events into a state: what a {@link Decider} evolves its state
 * with, and what the read side may fold with too, so that the two never fold the same events two
 * ways. Implementations must be total and deterministic, since they replay history.
 *
 * @param <E> event type
 * @param <S> state type
 */
public interface View<E, S> {

  /** The state before any event. */
  S initialState();

  /** Applies one event. */
  S evolve(S state, E event);

  /** Applies events in order, starting from {@code state}. */
  default S fold(S state, List<E> events) {
    S current = state;
    for (E event : events) {
      current = evolve(current, event);
    }
    return current;
  }

  /** Rebuilds state from a full history, starting from {@link #initialState()}. */
  default S fold(List<E> events) {
    return fold(initialState(), events);
  }
}
