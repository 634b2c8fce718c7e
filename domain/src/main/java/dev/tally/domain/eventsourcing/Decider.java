package dev.tally.domain.eventsourcing;

import java.util.List;

/**
 * A pure decider: decides which events a command produces in a given state, and evolves state by
 * one event. Implementations must be deterministic and free of side effects.
 *
 * @param <C> command type
 * @param <E> event type
 * @param <S> state type
 * @param <R> rejection type
 */
public interface Decider<C, E, S, R> {

  /** The state of an aggregate before any event. */
  S initialState();

  /** Accepts the command with zero or more events, or rejects it; never throws for any command. */
  Decision<E, R> decide(C command, S state);

  /** Applies one event; total and deterministic, since it replays history. */
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
