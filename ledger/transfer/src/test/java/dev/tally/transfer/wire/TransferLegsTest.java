package dev.tally.transfer.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.account.domain.Account;
import dev.tally.account.domain.AccountCommand;
import dev.tally.account.domain.AccountEvent;
import dev.tally.account.wire.AccountBinding;
import dev.tally.runtime.writer.BindingRoundTrip;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.transfer.domain.Transfer;
import dev.tally.transfer.domain.TransferProcess.Leg;
import dev.tally.transfer.domain.TransferProcess.StepResult;
import dev.tally.transfer.domain.TransferStep;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The transfer's legs, as the account reads them: each leg becomes the account command the account's
 * own binding maps to the right domain command, and each event the account appends for a leg tells
 * the process which leg of which transfer it was.
 */
class TransferLegsTest {

  private static final String T = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  private static final String A = "0b7e1f4a-2d3c-4b5a-8e9f-1a2b3c4d5e6f";
  private static final AccountBinding ACCOUNTS = AccountBinding.BINDING;

  @Test
  void everyLegIsTheAccountCommandTheAccountReadsItAs() {
    assertThat(ACCOUNTS.command(TransferLegs.command(new Leg.Debit(T, A, 250), BindingRoundTrip.command(A))))
        .isEqualTo(new AccountCommand.DebitForTransfer(T, A, 250));
    assertThat(ACCOUNTS.command(TransferLegs.command(new Leg.Credit(T, A, 250, "EUR"), BindingRoundTrip.command(A))))
        .isEqualTo(new AccountCommand.CreditForTransfer(T, A, 250, "EUR"));
    assertThat(ACCOUNTS.command(TransferLegs.command(new Leg.Refund(T), BindingRoundTrip.command(A))))
        .isEqualTo(new AccountCommand.RefundTransfer(T));
    assertThat(ACCOUNTS.command(TransferLegs.command(new Leg.Settle(T), BindingRoundTrip.command(A))))
        .isEqualTo(new AccountCommand.SettleTransfer(T));
  }

  @Test
  void everyEventOfALegSaysWhichLegOfWhichTransferItWas() {
    assertThat(applied(new AccountEvent.MoneyTransferredOut(T, A, 250, "EUR", 750)))
        .contains(new StepResult.Applied(T, TransferStep.DEBIT, "EUR"));
    assertThat(applied(new AccountEvent.MoneyTransferredIn(T, A, 250, 250)))
        .contains(new StepResult.Applied(T, TransferStep.CREDIT, null));
    assertThat(applied(new AccountEvent.TransferRefunded(T, 250, 1000)))
        .contains(new StepResult.Applied(T, TransferStep.REFUND, null));
    assertThat(applied(new AccountEvent.TransferSettled(T)))
        .contains(new StepResult.Applied(T, TransferStep.SETTLE, null));
    assertThat(applied(new AccountEvent.MoneyDeposited(1, "", 1))).isEmpty();
  }

  /** The transfer restates two of the account's rules (slices share schemas, not code): they must agree. */
  @Test
  void theTransferRestatesTheAccountsLimitsExactly() {
    assertThat(Transfer.MAX_AMOUNT).isEqualTo(Account.MAX_AMOUNT);
    assertThat(Transfer.REFERENCE).isEqualTo(Account.REFERENCE);
  }

  private static Optional<StepResult.Applied> applied(AccountEvent event) {
    EventMetadata envelope = new EventMetadata("e", A, "account", 1L, Instant.parse("2026-11-30T10:00:00Z"), "c", "r",
        "c");
    return TransferLegs.applied(ACCOUNTS.event(event, envelope));
  }
}
