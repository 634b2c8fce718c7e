package dev.tally.transfer.wire;

import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.CreditForTransfer;
import dev.tally.schemas.command.DebitForTransfer;
import dev.tally.schemas.command.RefundTransfer;
import dev.tally.schemas.command.SettleTransfer;
import dev.tally.schemas.event.MoneyTransferredIn;
import dev.tally.schemas.event.MoneyTransferredOut;
import dev.tally.schemas.event.TransferRefunded;
import dev.tally.schemas.event.TransferSettled;
import dev.tally.transfer.domain.TransferProcess.Leg;
import dev.tally.transfer.domain.TransferProcess.StepResult;
import dev.tally.transfer.domain.TransferStep;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * The transfer process's legs as the account's published contracts: the account commands a leg is
 * sent as, and what the account's events say about a leg. The transfer slice knows the account
 * only through these schemas (ADR 36, 40).
 */
public final class TransferLegs {

  private TransferLegs() {
  }

  /** The account command that carries {@code leg}, in its envelope. */
  public static SpecificRecord command(Leg leg, CommandMetadata metadata) {
    return switch (leg) {
      case Leg.Debit debit -> new DebitForTransfer(metadata, debit.transferId(), debit.to(), debit.amount());
      case Leg.Credit credit ->
          new CreditForTransfer(metadata, credit.transferId(), credit.from(), credit.amount(), credit.currency());
      case Leg.Refund refund -> new RefundTransfer(metadata, refund.transferId());
      case Leg.Settle settle -> new SettleTransfer(metadata, settle.transferId());
    };
  }

  /** The leg an account event records, if it records one. */
  public static Optional<StepResult.Applied> applied(SpecificRecord event) {
    return Optional.ofNullable(switch (event) {
      case MoneyTransferredOut out -> new StepResult.Applied(out.getTransferId(), TransferStep.DEBIT, out.getCurrency());
      case MoneyTransferredIn in -> new StepResult.Applied(in.getTransferId(), TransferStep.CREDIT, null);
      case TransferRefunded refunded -> new StepResult.Applied(refunded.getTransferId(), TransferStep.REFUND, null);
      case TransferSettled settled -> new StepResult.Applied(settled.getTransferId(), TransferStep.SETTLE, null);
      default -> null;
    });
  }
}
