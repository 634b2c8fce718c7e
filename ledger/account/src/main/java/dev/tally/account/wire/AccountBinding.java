package dev.tally.account.wire;

import dev.tally.account.domain.Account;
import dev.tally.account.domain.AccountCommand;
import dev.tally.account.domain.AccountEvent;
import dev.tally.account.domain.AccountRejection;
import dev.tally.account.domain.AccountState;
import dev.tally.runtime.core.Decider;
import dev.tally.runtime.writer.AggregateBinding;
import dev.tally.schemas.Aggregates;
import dev.tally.schemas.command.CloseAccount;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.CreditForTransfer;
import dev.tally.schemas.command.DebitForTransfer;
import dev.tally.schemas.command.DepositMoney;
import dev.tally.schemas.command.OpenAccount;
import dev.tally.schemas.command.RefundTransfer;
import dev.tally.schemas.command.SettleTransfer;
import dev.tally.schemas.command.WithdrawMoney;
import dev.tally.schemas.event.AccountClosed;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyTransferredIn;
import dev.tally.schemas.event.MoneyTransferredOut;
import dev.tally.schemas.event.MoneyWithdrawn;
import dev.tally.schemas.event.TransferRefunded;
import dev.tally.schemas.event.TransferSettled;
import dev.tally.schemas.state.AccountSnapshot;
import dev.tally.schemas.state.AccountStatus;
import dev.tally.schemas.state.TransferInFlight;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;

/** The account aggregate on Kafka: its decider and the mappings between its domain and Avro types. */
public final class AccountBinding
    implements AggregateBinding<AccountCommand, AccountEvent, AccountState, AccountRejection> {

  public static final String AGGREGATE_TYPE = Aggregates.ACCOUNT;

  /** The shared instance; the binding is stateless. */
  public static final AccountBinding BINDING = new AccountBinding();

  @Override
  public String aggregateType() {
    return AGGREGATE_TYPE;
  }

  @Override
  public Decider<AccountCommand, AccountEvent, AccountState, AccountRejection> decider() {
    return Account.DECIDER;
  }

  @Override
  public AccountCommand command(SpecificRecord record) {
    return switch (record) {
      case OpenAccount open -> new AccountCommand.OpenAccount(open.getOwner(), open.getCurrency());
      case DepositMoney deposit -> new AccountCommand.Deposit(deposit.getAmount(), deposit.getReference());
      case WithdrawMoney withdraw -> new AccountCommand.Withdraw(withdraw.getAmount(), withdraw.getReference());
      case CloseAccount close -> new AccountCommand.Close();
      case DebitForTransfer debit ->
          new AccountCommand.DebitForTransfer(debit.getTransferId(), debit.getTo(), debit.getAmount());
      case CreditForTransfer credit -> new AccountCommand.CreditForTransfer(credit.getTransferId(), credit.getFrom(),
          credit.getAmount(), credit.getCurrency());
      case RefundTransfer refund -> new AccountCommand.RefundTransfer(refund.getTransferId());
      case SettleTransfer settle -> new AccountCommand.SettleTransfer(settle.getTransferId());
      default -> throw new IllegalArgumentException("not an account command: " + record.getSchema().getFullName());
    };
  }

  @Override
  public SpecificRecord command(AccountCommand command, CommandMetadata metadata) {
    return switch (command) {
      case AccountCommand.OpenAccount open -> new OpenAccount(metadata, open.owner(), open.currency());
      case AccountCommand.Deposit deposit -> new DepositMoney(metadata, deposit.amount(), deposit.reference());
      case AccountCommand.Withdraw withdraw -> new WithdrawMoney(metadata, withdraw.amount(), withdraw.reference());
      case AccountCommand.Close close -> new CloseAccount(metadata);
      case AccountCommand.DebitForTransfer debit ->
          new DebitForTransfer(metadata, debit.transferId(), debit.to(), debit.amount());
      case AccountCommand.CreditForTransfer credit ->
          new CreditForTransfer(metadata, credit.transferId(), credit.from(), credit.amount(), credit.currency());
      case AccountCommand.RefundTransfer refund -> new RefundTransfer(metadata, refund.transferId());
      case AccountCommand.SettleTransfer settle -> new SettleTransfer(metadata, settle.transferId());
    };
  }

  @Override
  public SpecificRecord event(AccountEvent event, EventMetadata metadata) {
    return switch (event) {
      case AccountEvent.AccountOpened opened -> new AccountOpened(metadata, opened.owner(), opened.currency());
      case AccountEvent.MoneyDeposited deposited ->
          new MoneyDeposited(metadata, deposited.amount(), deposited.reference(), deposited.balanceAfter());
      case AccountEvent.MoneyWithdrawn withdrawn ->
          new MoneyWithdrawn(metadata, withdrawn.amount(), withdrawn.reference(), withdrawn.balanceAfter());
      case AccountEvent.AccountClosed closed -> new AccountClosed(metadata);
      case AccountEvent.MoneyTransferredOut out ->
          new MoneyTransferredOut(metadata, out.transferId(), out.to(), out.amount(), out.currency(), out.balanceAfter());
      case AccountEvent.MoneyTransferredIn in ->
          new MoneyTransferredIn(metadata, in.transferId(), in.from(), in.amount(), in.balanceAfter());
      case AccountEvent.TransferRefunded refunded ->
          new TransferRefunded(metadata, refunded.transferId(), refunded.amount(), refunded.balanceAfter());
      case AccountEvent.TransferSettled settled -> new TransferSettled(metadata, settled.transferId());
    };
  }

  @Override
  public AccountEvent event(SpecificRecord record) {
    return switch (record) {
      case AccountOpened opened -> new AccountEvent.AccountOpened(opened.getOwner(), opened.getCurrency());
      case MoneyDeposited deposited ->
          new AccountEvent.MoneyDeposited(deposited.getAmount(), deposited.getReference(), deposited.getBalanceAfter());
      case MoneyWithdrawn withdrawn ->
          new AccountEvent.MoneyWithdrawn(withdrawn.getAmount(), withdrawn.getReference(), withdrawn.getBalanceAfter());
      case AccountClosed closed -> new AccountEvent.AccountClosed();
      case MoneyTransferredOut out -> new AccountEvent.MoneyTransferredOut(out.getTransferId(), out.getTo(),
          out.getAmount(), out.getCurrency(), out.getBalanceAfter());
      case MoneyTransferredIn in ->
          new AccountEvent.MoneyTransferredIn(in.getTransferId(), in.getFrom(), in.getAmount(), in.getBalanceAfter());
      case TransferRefunded refunded ->
          new AccountEvent.TransferRefunded(refunded.getTransferId(), refunded.getAmount(), refunded.getBalanceAfter());
      case TransferSettled settled -> new AccountEvent.TransferSettled(settled.getTransferId());
      default -> throw new IllegalArgumentException("not an account event: " + record.getSchema().getFullName());
    };
  }

  @Override
  public long version(AccountState state) {
    return state.version();
  }

  /** Transfers in flight in the order of their ids, so that one state always has the same bytes. */
  @Override
  public SpecificRecord snapshot(AccountState state) {
    return new AccountSnapshot(AccountStatus.valueOf(state.status().name()), state.owner(), state.currency(),
        state.balance(), state.inFlight().entrySet().stream().sorted(Map.Entry.comparingByKey())
            .map(transfer -> new TransferInFlight(transfer.getKey(), transfer.getValue())).toList(),
        state.version());
  }

  @Override
  public AccountState state(SpecificRecord snapshot) {
    AccountSnapshot s = (AccountSnapshot) snapshot;
    return new AccountState(AccountState.Status.valueOf(s.getStatus().name()), s.getOwner(), s.getCurrency(),
        s.getBalance(), s.getTransfersInFlight().stream()
            .collect(Collectors.toMap(TransferInFlight::getTransferId, TransferInFlight::getAmount)),
        s.getVersion());
  }
}
