package dev.tally.runtime.writer;

import dev.tally.runtime.core.Decider;
import dev.tally.runtime.core.Rejection;
import dev.tally.runtime.core.Slice;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.event.EventMetadata;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Everything the generic single writer needs to know about one aggregate type: its decider and
 * the explicit mappings between its domain types and their Avro records. Adding an aggregate
 * type means writing one of these; the writer, gateway and rebuild tool stay as they are.
 */
public interface AggregateBinding<C, E, S, R extends Rejection> {

  /** The bindings of every slice that has one, in the slices' order. */
  static List<AggregateBinding<?, ?, ?, ?>> of(List<Slice> slices) {
    List<AggregateBinding<?, ?, ?, ?>> bindings = new ArrayList<>();
    Slice.faces(slices, AggregateBinding.class).forEach(bindings::add);
    return List.copyOf(bindings);
  }

  /** Stable name of the aggregate type, written into every event's metadata. */
  String aggregateType();

  Decider<C, E, S, R> decider();

  /** The domain command an Avro command record carries. */
  C command(SpecificRecord record);

  /** The Avro record of a domain command, in its envelope: what the HTTP edge sends. */
  SpecificRecord command(C command, CommandMetadata metadata);

  /** The Avro record of a domain event, with its envelope. */
  SpecificRecord event(E event, EventMetadata metadata);

  /** The domain event an Avro event record carries. */
  E event(SpecificRecord record);

  /** The version of an aggregate in this state (0 before its first event). */
  long version(S state);

  /** The Avro snapshot of a state, for the writer's state store. */
  SpecificRecord snapshot(S state);

  /** The state a snapshot holds. */
  S state(SpecificRecord snapshot);
}
