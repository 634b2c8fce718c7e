package dev.tally.transfer.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.account.domain.Account;
import dev.tally.transfer.domain.TransferCommand.RecordCredit;
import dev.tally.transfer.domain.TransferCommand.RecordCreditRefused;
import dev.tally.transfer.domain.TransferCommand.RecordDebit;
import dev.tally.transfer.domain.TransferCommand.RecordDebitRefused;
import dev.tally.transfer.domain.TransferCommand.RecordRefund;
import dev.tally.transfer.domain.TransferCommand.RequestTransfer;
import dev.tally.transfer.domain.TransferEvent.TransferCompleted;
import dev.tally.transfer.domain.TransferEvent.TransferCreditRefused;
import dev.tally.transfer.domain.TransferEvent.TransferDebited;
import dev.tally.transfer.domain.TransferEvent.TransferFailed;
import dev.tally.transfer.domain.TransferEvent.TransferRequested;
import dev.tally.transfer.domain.TransferRejection.InvalidAccount;
import dev.tally.transfer.domain.TransferRejection.InvalidAmount;
import dev.tally.transfer.domain.TransferRejection.InvalidReason;
import dev.tally.transfer.domain.TransferRejection.InvalidReference;
import dev.tally.runtime.core.Rejection.Kind;
import dev.tally.transfer.domain.TransferRejection.SameAccount;
import dev.tally.transfer.domain.TransferRejection.StepOutOfOrder;
import dev.tally.transfer.domain.TransferRejection.TransferAlreadyExists;
import dev.tally.transfer.domain.TransferRejection.TransferNotFound;
import dev.tally.transfer.domain.TransferState.Stage;
import dev.tally.transfer.domain.TransferState.Status;
import dev.tally.runtime.core.DeciderSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransferTest {

  static final String FROM = "0b7e1f4a-2d3c-4b5a-8e9f-1a2b3c4d5e6f";
  static final String TO = "5d1e0c2b-7a6f-4e3d-9c8b-0a1b2c3d4e5f";
  static final TransferRequested REQUESTED = new TransferRequested(FROM, TO, 250, "rent");
  static final TransferDebited DEBITED = new TransferDebited("EUR");
  static final TransferCreditRefused CREDIT_REFUSED = new TransferCreditRefused("account-closed", "The account is closed.");
  static final TransferFailed REFUNDED = new TransferFailed("account-closed", "The account is closed.", true);
  static final TransferFailed DEBIT_REFUSED = new TransferFailed("insufficient-funds", "Cannot withdraw 250.", false);

  private final DeciderSpec<TransferCommand, TransferEvent, TransferState, TransferRejection> spec =
      DeciderSpec.of(Transfer.DECIDER);

  // --- the request

  @Test
  void requestsATransfer() {
    TransferState state = spec.given().when(new RequestTransfer(FROM, TO, 250, "rent")).then(REQUESTED);
    assertThat(state.status()).isEqualTo(Status.PENDING);
    assertThat(state.stage()).isEqualTo(Stage.DEBITING);
    assertThat(state.step()).contains(TransferStep.DEBIT);
  }

  @Test
  void refusesToRequestATransferTwice() {
    spec.given(REQUESTED).when(new RequestTransfer(FROM, TO, 250, "rent")).thenRejectedWith(new TransferAlreadyExists());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "alice", "0B7E1F4A-2D3C-4B5A-8E9F-1A2B3C4D5E6F", "1-1-1-1-1",
      "0b7e1f4a-2d3c-4b5a-8e9f-1a2b3c4d5e6f "})
  void refusesAnythingButAnAccountId(String id) {
    spec.given().when(new RequestTransfer(id, TO, 1, "")).thenRejectedWith(new InvalidAccount("from"));
    spec.given().when(new RequestTransfer(FROM, id, 1, "")).thenRejectedWith(new InvalidAccount("to"));
  }

  @Test
  void refusesMissingAccounts() {
    spec.given().when(new RequestTransfer(null, TO, 1, "")).thenRejectedWith(new InvalidAccount("from"));
    spec.given().when(new RequestTransfer(FROM, null, 1, "")).thenRejectedWith(new InvalidAccount("to"));
  }

  @Test
  void refusesATransferToTheSameAccount() {
    spec.given().when(new RequestTransfer(FROM, FROM, 1, "")).thenRejectedWith(new SameAccount());
  }

  @Test
  void acceptsAmountsUpToTheAccountsMaximumOnly() {
    spec.given().when(new RequestTransfer(FROM, TO, Account.MAX_AMOUNT, ""))
        .then(new TransferRequested(FROM, TO, Account.MAX_AMOUNT, ""));
    for (long amount : new long[] {0, -1, Long.MIN_VALUE, Account.MAX_AMOUNT + 1, Long.MAX_VALUE}) {
      spec.given().when(new RequestTransfer(FROM, TO, amount, "")).thenRejectedWith(new InvalidAmount(amount));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"line\nbreak", "a\u0000b", "x\ud800", "\u001b[2J"})
  void refusesAReferenceTheAccountWouldRefuse(String reference) {
    spec.given().when(new RequestTransfer(FROM, TO, 1, reference)).thenRejectedWith(new InvalidReference());
  }

  @Test
  void acceptsAReferenceUpToTheMaximumLengthOnly() {
    spec.given().when(new RequestTransfer(FROM, TO, 1, null)).thenRejectedWith(new InvalidReference());
    String longest = "r".repeat(Account.MAX_REFERENCE_LENGTH);
    spec.given().when(new RequestTransfer(FROM, TO, 1, longest)).then(new TransferRequested(FROM, TO, 1, longest));
    spec.given().when(new RequestTransfer(FROM, TO, 1, longest + "r")).thenRejectedWith(new InvalidReference());
  }

  // --- the happy path, and replays of each step

  @Test
  void completesWhenDebitedThenCredited() {
    TransferState debited = spec.given(REQUESTED).when(new RecordDebit("EUR")).then(DEBITED);
    assertThat(debited.stage()).isEqualTo(Stage.CREDITING);
    assertThat(debited.currency()).isEqualTo("EUR");
    TransferState completed = spec.givenState(debited).when(new RecordCredit()).then(new TransferCompleted());
    assertThat(completed.status()).isEqualTo(Status.COMPLETED);
    assertThat(completed.step()).contains(TransferStep.SETTLE);
  }

  @Test
  void recordingAStepAgainChangesNothing() {
    spec.given(REQUESTED, DEBITED).when(new RecordDebit("EUR")).then();
    spec.given(REQUESTED, DEBITED, new TransferCompleted()).when(new RecordDebit("EUR")).then();
    spec.given(REQUESTED, DEBITED, new TransferCompleted()).when(new RecordCredit()).then();
    spec.given(REQUESTED, DEBIT_REFUSED).when(new RecordDebitRefused("insufficient-funds", "x")).then();
    spec.given(REQUESTED, DEBITED, CREDIT_REFUSED).when(new RecordDebit("EUR")).then();
    spec.given(REQUESTED, DEBITED, CREDIT_REFUSED).when(new RecordCreditRefused("account-closed", "x")).then();
    spec.given(REQUESTED, DEBITED, CREDIT_REFUSED, REFUNDED).when(new RecordDebit("EUR")).then();
    spec.given(REQUESTED, DEBITED, CREDIT_REFUSED, REFUNDED).when(new RecordCreditRefused("account-closed", "x")).then();
    spec.given(REQUESTED, DEBITED, CREDIT_REFUSED, REFUNDED).when(new RecordRefund()).then();
  }

  // --- failures

  @Test
  void failsWithTheSourcesReasonWhenTheDebitIsRefused() {
    TransferState failed = spec.given(REQUESTED).when(new RecordDebitRefused("insufficient-funds", "Cannot withdraw 250."))
        .then(DEBIT_REFUSED);
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.refunded()).isFalse();
    assertThat(failed.step()).isEmpty();
  }

  @Test
  void failsWithTheTargetsReasonOnceRefunded() {
    TransferState refunding = spec.given(REQUESTED, DEBITED)
        .when(new RecordCreditRefused("account-closed", "The account is closed."))
        .then(CREDIT_REFUSED);
    assertThat(refunding.status()).isEqualTo(Status.PENDING);
    assertThat(refunding.step()).contains(TransferStep.REFUND);
    TransferState failed = spec.givenState(refunding).when(new RecordRefund()).then(REFUNDED);
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.reasonCode()).isEqualTo("account-closed");
    assertThat(failed.refunded()).isTrue();
  }

  @Test
  void refusesARefusalWithoutAUsableReason() {
    spec.given(REQUESTED).when(new RecordDebitRefused(" ", "x")).thenRejectedWith(new InvalidReason());
    spec.given(REQUESTED).when(new RecordDebitRefused(null, "x")).thenRejectedWith(new InvalidReason());
    spec.given(REQUESTED, DEBITED).when(new RecordCreditRefused("closed", "a\u0000")).thenRejectedWith(new InvalidReason());
  }

  // --- contradictions

  @Test
  void refusesOutcomesThatContradictTheRecord() {
    spec.given(REQUESTED).when(new RecordCredit()).thenRejectedWith(new StepOutOfOrder("a credit", Stage.DEBITING));
    spec.given(REQUESTED).when(new RecordRefund()).thenRejectedWith(new StepOutOfOrder("a refund", Stage.DEBITING));
    spec.given(REQUESTED).when(new RecordCreditRefused("c", "d"))
        .thenRejectedWith(new StepOutOfOrder("a refused credit", Stage.DEBITING));
    spec.given(REQUESTED, DEBIT_REFUSED).when(new RecordDebit("EUR"))
        .thenRejectedWith(new StepOutOfOrder("a debit", Stage.FAILED));
    spec.given(REQUESTED, DEBITED).when(new RecordDebitRefused("c", "d"))
        .thenRejectedWith(new StepOutOfOrder("a refused debit", Stage.CREDITING));
    spec.given(REQUESTED, DEBITED, new TransferCompleted()).when(new RecordCreditRefused("c", "d"))
        .thenRejectedWith(new StepOutOfOrder("a refused credit", Stage.COMPLETED));
    spec.given(REQUESTED, DEBITED, CREDIT_REFUSED).when(new RecordCredit())
        .thenRejectedWith(new StepOutOfOrder("a credit", Stage.REFUNDING));
    spec.given(REQUESTED, DEBITED, CREDIT_REFUSED, REFUNDED).when(new RecordDebitRefused("c", "d"))
        .thenRejectedWith(new StepOutOfOrder("a refused debit", Stage.FAILED));
    spec.given(REQUESTED, DEBIT_REFUSED).when(new RecordRefund())
        .thenRejectedWith(new StepOutOfOrder("a refund", Stage.FAILED));
  }

  @Test
  void refusesStepsOfAnUnknownTransfer() {
    for (TransferCommand step : List.of(new RecordDebit("EUR"), new RecordDebitRefused("c", "d"), new RecordCredit(),
        new RecordCreditRefused("c", "d"), new RecordRefund())) {
      spec.given().when(step).thenRejectedWith(new TransferNotFound());
    }
  }

  // --- state and rejections

  @Test
  void foldsEveryEventIntoTheState() {
    TransferState state = Transfer.DECIDER.fold(List.of(REQUESTED, DEBITED, CREDIT_REFUSED, REFUNDED));
    assertThat(state).isEqualTo(new TransferState(Stage.FAILED, FROM, TO, 250, "rent", "EUR", "account-closed",
        "The account is closed.", true, 4));
    assertThat(Transfer.DECIDER.initialState()).isEqualTo(TransferState.initial());
    assertThat(TransferState.initial().status()).isEqualTo(Status.NEW);
  }

  @Test
  void rejectionCodesAndKindsAreStable() {
    List<TransferRejection> all = List.of(new InvalidAccount("from"), new SameAccount(), new InvalidAmount(0),
        new InvalidReference(), new InvalidReason(), new TransferAlreadyExists(), new TransferNotFound(),
        new StepOutOfOrder("a credit", Stage.DEBITING));
    assertThat(all).extracting(TransferRejection::code).containsExactly("invalid-account", "same-account",
        "invalid-amount", "invalid-reference", "invalid-reason", "transfer-already-exists", "transfer-not-found",
        "step-out-of-order");
    assertThat(all).extracting(TransferRejection::kind).containsExactly(Kind.INVALID, Kind.INVALID, Kind.INVALID,
        Kind.INVALID, Kind.INVALID, Kind.CONFLICT, Kind.NOT_FOUND, Kind.CONFLICT);
    assertThat(all).allSatisfy(r -> assertThat(r.detail()).isNotBlank());
  }
}
