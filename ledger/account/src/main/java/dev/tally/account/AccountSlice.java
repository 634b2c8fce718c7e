package dev.tally.account;

import dev.tally.account.http.AccountEndpoints;
import dev.tally.account.projection.AccountProjection;
import dev.tally.account.wire.AccountBinding;
import dev.tally.runtime.core.Slice;
import java.util.List;

/** The account, as the services and tools see it: each of its faces, registered in the ledger once. */
public final class AccountSlice {

  public static final Slice SLICE = new Slice(AccountBinding.AGGREGATE_TYPE, List.of(
      AccountBinding.BINDING,
      AccountEndpoints.COMMANDS,
      AccountProjection.PROJECTION,
      AccountEndpoints.QUERIES));

  private AccountSlice() {
  }
}
