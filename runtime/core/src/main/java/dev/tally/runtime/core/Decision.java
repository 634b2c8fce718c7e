package dev.tally.runtime.core;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Decider#decide}: the events to append, or why the command was refused.
 *
 * @param <E> event type
 * @param <R> rejection type
 */
public sealed interface Decision<E, R> {

  /** The command is accepted; an empty event list means it changes nothing. */
  record Accepted<E, R>(List<E> events) implements Decision<E, R> {
    public Accepted {
      events = List.copyOf(events);
    }
  }

  /** The command is refused and no event is appended. */
  record Rejected<E, R>(R rejection) implements Decision<E, R> {
    public Rejected {
      Objects.requireNonNull(rejection, "rejection");
    }
  }

  /** Accepts with the given events, in order (none for a no-op). */
  @SafeVarargs
  static <E, R> Decision<E, R> accept(E... events) {
    return new Accepted<>(List.of(events));
  }

  /** Accepts with the given events, in order (none for a no-op). */
  static <E, R> Decision<E, R> accept(List<E> events) {
    return new Accepted<>(events);
  }

  /** Rejects with the given reason. */
  static <E, R> Decision<E, R> reject(R rejection) {
    return new Rejected<>(rejection);
  }
}
