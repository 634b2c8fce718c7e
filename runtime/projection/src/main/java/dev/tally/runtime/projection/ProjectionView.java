package dev.tally.runtime.projection;

import dev.tally.runtime.core.View;
import java.util.List;
import java.util.Optional;

/**
 * A projection's one fold of an aggregate's events into the rows its tables hold: its batches fold
 * with it, and so does every fold of the log outside the projector ({@link HistoryFold}), so the
 * two never fold the same events two ways. Pure: JDK only.
 *
 * <p>{@link #evolve} must be total and leave a row as it is for an event at or below the row's
 * version (a replay), since a batch folds from what it does not know of the row (null columns) and
 * may see an event again.
 *
 * @param <E> the projection's event type
 * @param <S> the rows of one aggregate
 */
public interface ProjectionView<E, S> extends View<E, S> {

  /**
   * Why {@code event} cannot follow {@code state} in a whole history, beyond the version rule
   * ({@link VersionGate}); empty if it can. Only a fold from an aggregate's first event knows enough
   * to ask; the projector, folding onto rows it has not read, does not.
   */
  default Optional<String> refusal(S state, E event) {
    return Optional.empty();
  }

  /**
   * The rows of the projection's verified tables ({@link Relation#isVerified()}) that one aggregate's
   * folded state holds once its whole history is folded (current-state rows), as text.
   */
  default List<Row> rows(S state) {
    return List.of();
  }

  /** The rows of verified tables that one event adds, as text (history lines: one per event). */
  default List<Row> rowsAdded(E event, S after) {
    return List.of();
  }

  /**
   * One row of a verified table as text, exactly as the relation's {@link Relation#rowText()} SQL
   * renders the row PostgreSQL holds.
   *
   * @param relation the table's name
   * @param key the row's key, as the relation's {@link Relation#key()} renders it
   * @param text the row
   */
  record Row(String relation, String key, String text) {
  }
}
