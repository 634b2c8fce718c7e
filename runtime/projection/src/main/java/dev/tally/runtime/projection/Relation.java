package dev.tally.runtime.projection;

import java.util.Objects;

/**
 * A table or view of a projection in each read-model schema: readers see it through a serving view
 * of the same name ({@link ReadModelSchemas#SERVING}), and a table with a {@code rowText} is
 * compared row by row when a read model is verified against the log.
 *
 * @param name the relation's name, a plain SQL identifier
 * @param key a SQL expression naming one row (to name rows that differ); null if not verified
 * @param rowText a SQL expression rendering one row as the projection's view renders ({@link ProjectionView.Row}) the
 *     folded rows of that relation; null if not verified (a view, or a table no fold fills)
 */
public record Relation(String name, String key, String rowText) {

  public Relation {
    ReadModelSchemas.requireIdentifier(name, "relation");
    if ((key == null) != (rowText == null)) {
      throw new IllegalArgumentException("relation " + name + ": a key and a row text go together");
    }
  }

  /** A relation readers see, not verified row by row. */
  public static Relation served(String name) {
    return new Relation(name, null, null);
  }

  /** A table that a fold of the log fills, verified row by row. */
  public static Relation verified(String name, String key, String rowText) {
    return new Relation(name, Objects.requireNonNull(key, "key"), Objects.requireNonNull(rowText, "rowText"));
  }

  /** Whether its rows are compared with a fold of the log. */
  public boolean isVerified() {
    return rowText != null;
  }
}
