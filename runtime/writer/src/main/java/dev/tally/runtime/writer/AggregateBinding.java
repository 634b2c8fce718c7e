package dev.tally.runtime.writer;

import dev.tally.runtime.core.Decider;
import dev.tally.schemas.event.EventMetadata;
import org.apache.avro.specific.SpecificRecord;

/**
 * Everything the generic single writer needs to know about one aggregate type: its decider and
 * the explicit mappings between its domain types and their Avro records. Adding an aggregate
 * type means writing one of these; the writer, gateway and rebuild tool stay as they are.
 */
public interface AggregateBinding<C, E, S, R> {

  /** Stable name of the aggregate type, written into every event's metadata. */
  String aggregateType();

  Decider<C, E, S, R> decider();

  /** The domain command an Avro command record carries. */
  C command(SpecificRecord record);

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

  /** Stable, URL-safe code of a rejection (for example {@code insufficient-funds}). */
  String rejectionCode(R rejection);

  /** A sentence for people, saying why the command was refused. */
  String rejectionDetail(R rejection);
}
