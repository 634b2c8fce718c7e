package dev.tally.ledger;

import dev.tally.account.AccountSlice;
import dev.tally.runtime.core.Slice;
import java.util.List;

/**
 * The aggregates of the ledger: one line per slice. The services, the CLI and the local stack
 * take everything they serve from here (docs/extending.md).
 */
public final class Ledger {

  public static final List<Slice> SLICES = List.of(AccountSlice.SLICE);

  private Ledger() {
  }
}
