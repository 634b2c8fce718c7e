package dev.tally.transfer.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.runtime.writer.BindingRoundTrip;
import dev.tally.transfer.domain.TransferCommand;
import dev.tally.transfer.domain.TransferEvent;
import dev.tally.transfer.domain.TransferRejection;
import dev.tally.transfer.domain.TransferState;
import dev.tally.transfer.domain.TransferState.Stage;
import dev.tally.schemas.command.DepositMoney;
import dev.tally.schemas.command.RecordTransferCredit;
import dev.tally.schemas.command.RecordTransferCreditRefused;
import dev.tally.schemas.command.RecordTransferDebit;
import dev.tally.schemas.command.RecordTransferDebitRefused;
import dev.tally.schemas.command.RecordTransferRefund;
import dev.tally.schemas.command.RequestTransfer;
import dev.tally.schemas.event.MoneyDeposited;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransferBindingTest {

  private static final String FROM = "0b7e1f4a-2d3c-4b5a-8e9f-1a2b3c4d5e6f";
  private static final String TO = "5d1e0c2b-7a6f-4e3d-9c8b-0a1b2c3d4e5f";
  private final TransferBinding binding = new TransferBinding();
  private final BindingRoundTrip<TransferCommand, TransferEvent, TransferState, TransferRejection> roundTrip =
      new BindingRoundTrip<>(binding);

  @Test
  void isTheTransferAggregate() {
    assertThat(binding.aggregateType()).isEqualTo("transfer");
  }

  @Test
  void everyEventRoundTrips() {
    List.<TransferEvent>of(
        new TransferEvent.TransferRequested(FROM, TO, 250, "rent"),
        new TransferEvent.TransferDebited("EUR"),
        new TransferEvent.TransferCompleted(),
        new TransferEvent.TransferCreditRefused("account-closed", "The account is closed."),
        new TransferEvent.TransferFailed("account-closed", "The account is closed.", true),
        new TransferEvent.TransferFailed("insufficient-funds", "Short.", false)).forEach(roundTrip::assertEventRoundTrips);
  }

  @Test
  void everyCommandMapsToItsDomainCommand() {
    roundTrip.assertCommandMapsTo(m -> new RequestTransfer(m, FROM, TO, 250L, "rent"),
        new TransferCommand.RequestTransfer(FROM, TO, 250, "rent"));
    roundTrip.assertCommandMapsTo(m -> new RecordTransferDebit(m, "EUR"), new TransferCommand.RecordDebit("EUR"));
    roundTrip.assertCommandMapsTo(m -> new RecordTransferDebitRefused(m, "insufficient-funds", "Short."),
        new TransferCommand.RecordDebitRefused("insufficient-funds", "Short."));
    roundTrip.assertCommandMapsTo(RecordTransferCredit::new, new TransferCommand.RecordCredit());
    roundTrip.assertCommandMapsTo(m -> new RecordTransferCreditRefused(m, "currency-mismatch", "EUR/USD"),
        new TransferCommand.RecordCreditRefused("currency-mismatch", "EUR/USD"));
    roundTrip.assertCommandMapsTo(RecordTransferRefund::new, new TransferCommand.RecordRefund());
  }

  @Test
  void refusesAnotherAggregatesRecords() {
    assertThatThrownBy(() -> binding.command(new DepositMoney(BindingRoundTrip.command(FROM), 1L, "")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> binding.event(new MoneyDeposited(null, 1L, "", 1L)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyStageRoundTrips() {
    for (Stage stage : Stage.values()) {
      roundTrip.assertStateRoundTrips(new TransferState(stage, FROM, TO, 250, "rent", "EUR", "account-closed",
          "The account is closed.", stage == Stage.FAILED, 4));
    }
    roundTrip.assertStateRoundTrips(TransferState.initial());
  }
}
