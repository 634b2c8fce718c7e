package dev.tally.account.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.runtime.writer.BindingRoundTrip;
import dev.tally.account.domain.AccountCommand;
import dev.tally.account.domain.AccountEvent;
import dev.tally.account.domain.AccountState;
import dev.tally.account.domain.AccountState.Status;
import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.command.CreditForTransfer;
import dev.tally.schemas.command.DebitForTransfer;
import dev.tally.schemas.command.RefundTransfer;
import dev.tally.schemas.command.SettleTransfer;
import dev.tally.schemas.command.RequestTransfer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class AccountBindingTest {

  private static final String T = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  private static final String OTHER = "5d1e0c2b-7a6f-4e3d-9c8b-0a1b2c3d4e5f";
  private final AccountBinding binding = new AccountBinding();
  private final BindingRoundTrip<AccountCommand, AccountEvent, AccountState, ?> roundTrip = new BindingRoundTrip<>(binding);

  @Test
  void everyEventRoundTrips() {
    List.<AccountEvent>of(
        new AccountEvent.AccountOpened("Ada", "EUR"),
        new AccountEvent.MoneyDeposited(100, "salary", 100),
        new AccountEvent.MoneyWithdrawn(40, "rent", 60),
        new AccountEvent.AccountClosed(),
        new AccountEvent.MoneyTransferredOut(T, OTHER, 250, "EUR", 750),
        new AccountEvent.MoneyTransferredIn(T, OTHER, 250, 250),
        new AccountEvent.TransferRefunded(T, 250, 1000),
        new AccountEvent.TransferSettled(T)).forEach(roundTrip::assertEventRoundTrips);
  }

  @Test
  void transferLegsMapToTheirCommands() {
    roundTrip.assertCommandMapsTo(m -> new DebitForTransfer(m, T, OTHER, 250L),
        new AccountCommand.DebitForTransfer(T, OTHER, 250));
    roundTrip.assertCommandMapsTo(m -> new CreditForTransfer(m, T, OTHER, 250L, "EUR"),
        new AccountCommand.CreditForTransfer(T, OTHER, 250, "EUR"));
    roundTrip.assertCommandMapsTo(m -> new RefundTransfer(m, T), new AccountCommand.RefundTransfer(T));
    roundTrip.assertCommandMapsTo(m -> new SettleTransfer(m, T), new AccountCommand.SettleTransfer(T));
  }

  @Test
  void refusesAnotherAggregatesCommand() {
    assertThatThrownBy(() -> binding.command(new RequestTransfer(BindingRoundTrip.command(T), T, OTHER, 1L, "")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stateRoundTripsWithItsTransfersInFlight() {
    roundTrip.assertStateRoundTrips(new AccountState(Status.OPEN, "Ada", "EUR", 750, Map.of(T, 250L, OTHER, 5L), 9L));
    roundTrip.assertStateRoundTrips(new AccountState(Status.CLOSED, "Ada", "EUR", 0, 12));
  }

  @Test
  void theSameStateIsAlwaysStoredAsTheSameBytes() {
    AccountState state = new AccountState(Status.OPEN, "Ada", "EUR", 750, Map.of(T, 250L, OTHER, 5L, "a", 1L), 9L);
    AccountState reordered = new AccountState(Status.OPEN, "Ada", "EUR", 750, Map.of("a", 1L, OTHER, 5L, T, 250L), 9L);
    AvroCodec codec = AvroCodec.standard();
    assertThat(codec.encode(binding.snapshot(reordered))).isEqualTo(codec.encode(binding.snapshot(state)));
  }

  @Test
  void aStateStoredBeforeTransfersHasNoneInFlight() throws Exception {
    Schema v1 = SchemaCatalog.classpath().versions("dev.tally.schemas.state.AccountSnapshot").getFirst();
    GenericRecord old = new GenericData.Record(v1);
    old.put("status", new GenericData.EnumSymbol(v1.getField("status").schema(), "OPEN"));
    old.put("owner", "Ada");
    old.put("currency", "EUR");
    old.put("balance", 100L);
    old.put("version", 3L);
    byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

    assertThat(binding.state(AvroCodec.standard().decode(bytes)))
        .isEqualTo(new AccountState(Status.OPEN, "Ada", "EUR", 100, Map.of(), 3));
  }
}
