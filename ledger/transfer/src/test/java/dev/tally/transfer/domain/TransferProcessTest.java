package dev.tally.transfer.domain;

import static dev.tally.transfer.domain.TransferTest.FROM;
import static dev.tally.transfer.domain.TransferTest.TO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.transfer.domain.TransferCommand.RecordCredit;
import dev.tally.transfer.domain.TransferCommand.RecordCreditRefused;
import dev.tally.transfer.domain.TransferCommand.RecordDebit;
import dev.tally.transfer.domain.TransferCommand.RecordDebitRefused;
import dev.tally.transfer.domain.TransferCommand.RecordRefund;
import dev.tally.transfer.domain.TransferProcess.Leg;
import dev.tally.transfer.domain.TransferProcess.Reaction;
import dev.tally.transfer.domain.TransferProcess.RecordCommand;
import dev.tally.transfer.domain.TransferProcess.StepCommand;
import dev.tally.transfer.domain.TransferProcess.StepResult;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TransferProcessTest {

  private static final String ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

  private static TransferState at(TransferEvent... events) {
    return Transfer.DECIDER.fold(List.of(events));
  }

  private static StepCommand only(List<StepCommand> steps) {
    assertThat(steps).hasSize(1);
    return steps.getFirst();
  }

  @Test
  void eachStageCallsForItsLegAtTheRightAccount() {
    StepCommand debit = only(TransferProcess.next(ID, at(TransferTest.REQUESTED)));
    assertThat(debit.step()).isEqualTo(TransferStep.DEBIT);
    assertThat(debit.accountId()).isEqualTo(FROM);
    assertThat(debit.leg()).isEqualTo(new Leg.Debit(ID, TO, 250));

    StepCommand credit = only(TransferProcess.next(ID, at(TransferTest.REQUESTED, TransferTest.DEBITED)));
    assertThat(credit.accountId()).isEqualTo(TO);
    assertThat(credit.leg()).isEqualTo(new Leg.Credit(ID, FROM, 250, "EUR"));

    StepCommand refund = only(TransferProcess.next(ID,
        at(TransferTest.REQUESTED, TransferTest.DEBITED, TransferTest.CREDIT_REFUSED)));
    assertThat(refund.accountId()).isEqualTo(FROM);
    assertThat(refund.leg()).isEqualTo(new Leg.Refund(ID));

    StepCommand settle = only(TransferProcess.next(ID,
        at(TransferTest.REQUESTED, TransferTest.DEBITED, new TransferEvent.TransferCompleted())));
    assertThat(settle.accountId()).isEqualTo(FROM);
    assertThat(settle.leg()).isEqualTo(new Leg.Settle(ID));
  }

  @Test
  void aFinishedOrUnknownTransferCallsForNothing() {
    assertThat(TransferProcess.next(ID, TransferState.initial())).isEmpty();
    assertThat(TransferProcess.next(ID, at(TransferTest.REQUESTED, TransferTest.DEBIT_REFUSED))).isEmpty();
    assertThat(TransferProcess.next(ID, at(TransferTest.REQUESTED, TransferTest.DEBITED, TransferTest.CREDIT_REFUSED,
        TransferTest.REFUNDED))).isEmpty();
  }

  @Test
  void idsAreDerivedFromTheTransferAndTheStepOnly() {
    StepCommand debit = only(TransferProcess.next(ID, at(TransferTest.REQUESTED)));
    assertThat(TransferProcess.next(ID, at(TransferTest.REQUESTED))).containsExactly(debit);
    assertThat(debit.idempotencyKey()).isEqualTo("transfer/" + ID + "/debit");
    assertThat(debit.commandId()).isEqualTo(UUID.nameUUIDFromBytes(("transfer/" + ID + "/debit").getBytes()).toString());

    StepCommand credit = only(TransferProcess.next(ID, at(TransferTest.REQUESTED, TransferTest.DEBITED)));
    StepCommand otherTransfer = only(TransferProcess.next("another", at(TransferTest.REQUESTED)));
    assertThat(List.of(debit.commandId(), credit.commandId(), otherTransfer.commandId())).doesNotHaveDuplicates();
    assertThat(List.of(debit.idempotencyKey(), credit.idempotencyKey(), otherTransfer.idempotencyKey()))
        .doesNotHaveDuplicates();
  }

  @Test
  void anAppliedLegIsRecordedOnTheTransfer() {
    StepCommand debit = only(TransferProcess.next(ID, at(TransferTest.REQUESTED)));
    Reaction debited = TransferProcess.onResult(debit,
        new StepResult.Applied(ID, TransferStep.DEBIT, "EUR"));
    assertThat(debited).isEqualTo(new Reaction.Record(new RecordCommand(ID, new RecordDebit("EUR"),
        UUID.nameUUIDFromBytes(("transfer/" + ID + "/record-debit").getBytes()).toString(),
        "transfer/" + ID + "/record-debit")));

    StepCommand credit = only(TransferProcess.next(ID, at(TransferTest.REQUESTED, TransferTest.DEBITED)));
    assertThat(recorded(TransferProcess.onResult(credit,
        new StepResult.Applied(ID, TransferStep.CREDIT, null)))).isEqualTo(new RecordCredit());

    StepCommand refund = only(TransferProcess.next(ID,
        at(TransferTest.REQUESTED, TransferTest.DEBITED, TransferTest.CREDIT_REFUSED)));
    assertThat(recorded(TransferProcess.onResult(refund, new StepResult.Applied(ID, TransferStep.REFUND, null))))
        .isEqualTo(new RecordRefund());

    StepCommand settle = only(TransferProcess.next(ID,
        at(TransferTest.REQUESTED, TransferTest.DEBITED, new TransferEvent.TransferCompleted())));
    assertThat(TransferProcess.onResult(settle, new StepResult.Applied(ID, TransferStep.SETTLE, null)))
        .isEqualTo(new Reaction.Done());
  }

  @Test
  void aRefusedDebitFailsTheTransferAndARefusedCreditRefundsIt() {
    StepCommand debit = only(TransferProcess.next(ID, at(TransferTest.REQUESTED)));
    assertThat(recorded(TransferProcess.onResult(debit, new StepResult.Rejected("insufficient-funds", "short"))))
        .isEqualTo(new RecordDebitRefused("insufficient-funds", "short"));

    StepCommand credit = only(TransferProcess.next(ID, at(TransferTest.REQUESTED, TransferTest.DEBITED)));
    assertThat(recorded(TransferProcess.onResult(credit, new StepResult.Rejected("currency-mismatch", "EUR/USD"))))
        .isEqualTo(new RecordCreditRefused("currency-mismatch", "EUR/USD"));
  }

  @Test
  void anExpiredLegIsSentAgainAsItWas() {
    StepCommand debit = only(TransferProcess.next(ID, at(TransferTest.REQUESTED)));
    assertThat(TransferProcess.onResult(debit, new StepResult.Expired())).isEqualTo(new Reaction.Resend(debit));
  }

  @Test
  void aLegThatChangedNothingNeedsNothing() {
    StepCommand debit = only(TransferProcess.next(ID, at(TransferTest.REQUESTED)));
    assertThat(TransferProcess.onResult(debit, new StepResult.Unchanged())).isEqualTo(new Reaction.Done());
  }

  @Test
  void aRefusedRefundOrSettleHalts() {
    StepCommand refund = only(TransferProcess.next(ID,
        at(TransferTest.REQUESTED, TransferTest.DEBITED, TransferTest.CREDIT_REFUSED)));
    assertThat(TransferProcess.onResult(refund, new StepResult.Rejected("unsupported-command", "old writer")))
        .isInstanceOfSatisfying(Reaction.Halt.class, halt -> assertThat(halt.reason())
            .contains(FROM, ID, "refund", "unsupported-command"));
  }

  @Test
  void anEventOfAnotherLegIsAMistake() {
    StepCommand debit = only(TransferProcess.next(ID, at(TransferTest.REQUESTED)));
    assertThatThrownBy(() -> TransferProcess.onResult(debit,
        new StepResult.Applied(ID, TransferStep.CREDIT, null))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TransferProcess.onResult(debit,
        new StepResult.Applied("another", TransferStep.DEBIT, "EUR")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TransferProcess.onResult(debit, new StepResult.Applied(ID, TransferStep.DEBIT, null)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static TransferCommand recorded(Reaction reaction) {
    assertThat(reaction).isInstanceOf(Reaction.Record.class);
    return ((Reaction.Record) reaction).command().command();
  }
}
