package dev.tally.runtime.projection;

import dev.tally.runtime.core.Slice;
import java.util.ArrayList;
import java.util.List;

/**
 * One projection of an events topic into the read model: how to read a record, whose event it is,
 * and how to write a batch of events. The runtime does the rest, the same for every projection:
 * per-aggregate order and contiguous versions, parking, dead letters, checkpoints, lag, re-driving,
 * the consistency relation, verification and copies as of an instant. A projector runs any number
 * of them; a projection is added by registering its descriptor, never by changing the runtime.
 *
 * @param <E> the projection's own view of an event (Avro stays at the edge, in {@link #read})
 */
public interface Projection<E> {

  /** The projections of every slice that has some, in the slices' order (their tables are created so). */
  static List<Projection<?>> of(List<Slice> slices) {
    List<Projection<?>> projections = new ArrayList<>();
    Slice.faces(slices, Projection.class).forEach(projections::add);
    return List.copyOf(projections);
  }

  /** Its name: the key of its checkpoints, aggregate versions and parked keys. */
  String name();

  /** The aggregate type whose events it reads: its events topic and dead letters are named after it. */
  String sourceAggregateType();

  /**
   * Reads one record of the events topic.
   *
   * @throws RejectedRecordException for a record this projection can never apply (not an event it
   *     knows, inconsistent, or unstorable content): it parks its key
   * @throws ReaderTooOldException for a record written with a schema this reader does not know yet:
   *     the projection stops and retries until a newer reader is deployed
   */
  E read(String key, byte[] value);

  /** Which aggregate the event belongs to, the version it brought it to, and its id. */
  EventIdentity identity(E event);

  /** An empty batch. */
  ProjectionBatch<E> newBatch();

  /** Its one fold of an aggregate's events into its rows (ADR 32), and the text of those rows. */
  ProjectionView<E, ?> view();

  /**
   * The classpath location of its Flyway migrations (for example {@code classpath:db/projection/<name>}),
   * applied to every read-model schema after the runtime's own, with a history of their own.
   */
  String migrations();

  /** Its tables and views, in creation order: served to readers, and verified where they say so. */
  List<Relation> relations();
}
