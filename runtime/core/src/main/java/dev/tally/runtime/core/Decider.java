package dev.tally.runtime.core;

/**
 * A pure decider: decides which events a command produces in a given state, and evolves state by
 * one event (its {@link View}). Implementations must be deterministic and free of side effects.
 *
 * @param <C> command type
 * @param <E> event type
 * @param <S> state type
 * @param <R> rejection type
 */
public interface Decider<C, E, S, R> extends View<E, S> {

  /** Accepts the command with zero or more events, or rejects it; never throws for any command. */
  Decision<E, R> decide(C command, S state);
}
