package dev.tally.runtime.writer.toy;

import dev.tally.runtime.core.Decider;
import dev.tally.runtime.writer.AggregateBinding;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.event.EventMetadata;
import org.apache.avro.specific.SpecificRecord;

/**
 * The toy counter on Kafka: its decider and the mappings between its domain and its Avro records.
 * Not final, so that a test can take a mapping away and see what the writer does without it.
 */
public class CounterBinding implements AggregateBinding<Counter.Command, Counter.Event, Counter.State, Counter.NotPositive> {

  public static final String AGGREGATE_TYPE = "counter";

  @Override
  public String aggregateType() {
    return AGGREGATE_TYPE;
  }

  @Override
  public Decider<Counter.Command, Counter.Event, Counter.State, Counter.NotPositive> decider() {
    return Counter.DECIDER;
  }

  @Override
  public Counter.Command command(SpecificRecord record) {
    return switch (record) {
      case Increment increment -> new Counter.Command.Increment(increment.getBy());
      case Reset reset -> new Counter.Command.Reset();
      default -> throw new IllegalArgumentException("not a counter command: " + record.getSchema().getFullName());
    };
  }

  @Override
  public SpecificRecord command(Counter.Command command, CommandMetadata metadata) {
    return switch (command) {
      case Counter.Command.Increment increment -> new Increment(metadata, increment.by());
      case Counter.Command.Reset reset -> new Reset(metadata);
    };
  }

  @Override
  public SpecificRecord event(Counter.Event event, EventMetadata metadata) {
    return switch (event) {
      case Counter.Event.Incremented incremented -> new Incremented(metadata, incremented.by(), incremented.valueAfter());
      case Counter.Event.WasReset reset -> new WasReset(metadata);
    };
  }

  @Override
  public Counter.Event event(SpecificRecord record) {
    return switch (record) {
      case Incremented incremented -> new Counter.Event.Incremented(incremented.getBy(), incremented.getValueAfter());
      case WasReset reset -> new Counter.Event.WasReset();
      default -> throw new IllegalArgumentException("not a counter event: " + record.getSchema().getFullName());
    };
  }

  @Override
  public long version(Counter.State state) {
    return state.version();
  }

  @Override
  public SpecificRecord snapshot(Counter.State state) {
    return new CounterSnapshot(state.value(), state.version());
  }

  @Override
  public Counter.State state(SpecificRecord snapshot) {
    CounterSnapshot counter = (CounterSnapshot) snapshot;
    return new Counter.State(counter.getValue(), counter.getVersion());
  }
}
