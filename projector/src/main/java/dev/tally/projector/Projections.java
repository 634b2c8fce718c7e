package dev.tally.projector;

import dev.tally.projector.account.AccountProjection;
import dev.tally.runtime.projection.Projection;
import java.util.List;

/**
 * Every projection of the read model, in one place: the projector runs them all, the read model's
 * schemas get their tables and serving views, and the CLI verifies, copies and re-drives them.
 * Adding a projection is adding it here.
 */
public final class Projections {

  /** The registered projections, in the order their tables are created. */
  public static final List<Projection<?>> ALL = List.of(AccountProjection.PROJECTION);

  private Projections() {
  }
}
