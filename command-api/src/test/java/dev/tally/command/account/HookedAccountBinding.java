package dev.tally.command.account;

import dev.tally.account.domain.AccountCommand;
import dev.tally.account.domain.AccountEvent;
import dev.tally.account.domain.AccountRejection;
import dev.tally.account.domain.AccountState;
import dev.tally.account.wire.AccountBinding;
import dev.tally.runtime.core.Decider;
import dev.tally.runtime.writer.AggregateBinding;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.event.EventMetadata;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * The account binding, calling a hook before it maps each command and each event record: for
 * tests of what the writer and the rebuild do around those mappings.
 */
public record HookedAccountBinding(Consumer<SpecificRecord> onCommand, Consumer<SpecificRecord> onEvent)
    implements AggregateBinding<AccountCommand, AccountEvent, AccountState, AccountRejection> {

  private static final AccountBinding ACCOUNTS = AccountBinding.BINDING;

  @Override
  public String aggregateType() {
    return ACCOUNTS.aggregateType();
  }

  @Override
  public Decider<AccountCommand, AccountEvent, AccountState, AccountRejection> decider() {
    return ACCOUNTS.decider();
  }

  @Override
  public AccountCommand command(SpecificRecord record) {
    onCommand.accept(record);
    return ACCOUNTS.command(record);
  }

  @Override
  public SpecificRecord command(AccountCommand command, CommandMetadata metadata) {
    return ACCOUNTS.command(command, metadata);
  }

  @Override
  public SpecificRecord event(AccountEvent event, EventMetadata metadata) {
    return ACCOUNTS.event(event, metadata);
  }

  @Override
  public AccountEvent event(SpecificRecord record) {
    onEvent.accept(record);
    return ACCOUNTS.event(record);
  }

  @Override
  public long version(AccountState state) {
    return ACCOUNTS.version(state);
  }

  @Override
  public SpecificRecord snapshot(AccountState state) {
    return ACCOUNTS.snapshot(state);
  }

  @Override
  public AccountState state(SpecificRecord snapshot) {
    return ACCOUNTS.state(snapshot);
  }
}
