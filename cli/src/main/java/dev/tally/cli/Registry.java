package dev.tally.cli;

import dev.tally.ledger.Ledger;
import dev.tally.runtime.core.Slice;
import dev.tally.runtime.projection.Projection;
import java.util.List;

/**
 * The aggregate types the tool serves, and their projections: {@link Ledger#SLICES} in production.
 * Every command takes what it works on from here, never from a named aggregate, so a new slice is
 * verified, copied, listed and shown without a change to the tool.
 *
 * @param slices the registered slices
 */
record Registry(List<Slice> slices) {

  static final Registry LEDGER = new Registry(Ledger.SLICES);

  Registry {
    slices = List.copyOf(slices);
  }

  /** Every registered projection, in the slices' order. */
  List<Projection<?>> projections() {
    return Projection.of(slices);
  }

  /** Every registered aggregate type, in the slices' order. */
  List<String> aggregateTypes() {
    return slices.stream().map(Slice::aggregateType).toList();
  }

  /** The aggregate types some registered projection reads. */
  List<String> projectedTypes() {
    return projections().stream().map(Projection::sourceAggregateType).distinct().toList();
  }
}
