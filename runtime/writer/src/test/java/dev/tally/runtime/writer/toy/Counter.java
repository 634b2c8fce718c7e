package dev.tally.runtime.writer.toy;

import dev.tally.runtime.core.Decider;
import dev.tally.runtime.core.Decision;
import dev.tally.runtime.core.Rejection;

/**
 * A toy aggregate: a counter that only goes up, until it is reset. Just enough rules for the
 * writer's tests to see every outcome (events, no events, a refusal) without any ledger code.
 */
public final class Counter implements Decider<Counter.Command, Counter.Event, Counter.State, Counter.NotPositive> {

  public static final Counter DECIDER = new Counter();

  private Counter() {
  }

  /** What a counter is asked to do. */
  public sealed interface Command {
    record Increment(long by) implements Command {
    }

    record Reset() implements Command {
    }
  }

  /** What happened to a counter. */
  public sealed interface Event {
    record Incremented(long by, long valueAfter) implements Event {
    }

    record WasReset() implements Event {
    }
  }

  /** A counter's value, and how many events made it (0: none yet). */
  public record State(long value, long version) {
  }

  /** An increment that would not count up: sending it again cannot succeed. */
  public record NotPositive(long by) implements Rejection {
    @Override
    public Kind kind() {
      return Kind.INVALID;
    }

    @Override
    public String code() {
      return "not-positive";
    }

    @Override
    public String detail() {
      return "a counter counts up: an increment must be positive, not " + by;
    }
  }

  @Override
  public State initialState() {
    return new State(0, 0);
  }

  @Override
  public Decision<Event, NotPositive> decide(Command command, State state) {
    return switch (command) {
      case Command.Increment(long by) when by <= 0 -> Decision.reject(new NotPositive(by));
      case Command.Increment(long by) -> Decision.accept(new Event.Incremented(by, state.value() + by));
      // Nothing to reset: accepted, and nothing happens.
      case Command.Reset reset when state.value() == 0 -> Decision.accept();
      case Command.Reset reset -> Decision.accept(new Event.WasReset());
    };
  }

  @Override
  public State evolve(State state, Event event) {
    return switch (event) {
      case Event.Incremented incremented -> new State(incremented.valueAfter(), state.version() + 1);
      case Event.WasReset reset -> new State(0, state.version() + 1);
    };
  }
}
