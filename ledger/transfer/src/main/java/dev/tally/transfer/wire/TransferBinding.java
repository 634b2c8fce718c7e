package dev.tally.transfer.wire;

import dev.tally.transfer.domain.Transfer;
import dev.tally.transfer.domain.TransferCommand;
import dev.tally.transfer.domain.TransferEvent;
import dev.tally.transfer.domain.TransferRejection;
import dev.tally.transfer.domain.TransferState;
import dev.tally.runtime.writer.AggregateBinding;
import dev.tally.runtime.core.Decider;
import dev.tally.schemas.Aggregates;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.RecordTransferCredit;
import dev.tally.schemas.command.RecordTransferCreditRefused;
import dev.tally.schemas.command.RecordTransferDebit;
import dev.tally.schemas.command.RecordTransferDebitRefused;
import dev.tally.schemas.command.RecordTransferRefund;
import dev.tally.schemas.command.RequestTransfer;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.TransferCompleted;
import dev.tally.schemas.event.TransferCreditRefused;
import dev.tally.schemas.event.TransferDebited;
import dev.tally.schemas.event.TransferFailed;
import dev.tally.schemas.event.TransferRequested;
import dev.tally.schemas.state.TransferSnapshot;
import dev.tally.schemas.state.TransferStage;
import org.apache.avro.specific.SpecificRecord;

/**
 * The transfer aggregate on Kafka: its decider and the mappings between its domain and Avro types.
 * The transfer's single writer records the saga's progress; the accounts' writers move the money
 * (ADR 36).
 */
public final class TransferBinding
    implements AggregateBinding<TransferCommand, TransferEvent, TransferState, TransferRejection> {

  public static final String AGGREGATE_TYPE = Aggregates.TRANSFER;

  /** The shared instance; the binding is stateless. */
  public static final TransferBinding BINDING = new TransferBinding();

  @Override
  public String aggregateType() {
    return AGGREGATE_TYPE;
  }

  @Override
  public Decider<TransferCommand, TransferEvent, TransferState, TransferRejection> decider() {
    return Transfer.DECIDER;
  }

  @Override
  public TransferCommand command(SpecificRecord record) {
    return switch (record) {
      case RequestTransfer request -> new TransferCommand.RequestTransfer(request.getFrom(), request.getTo(),
          request.getAmount(), request.getReference());
      case RecordTransferDebit debit -> new TransferCommand.RecordDebit(debit.getCurrency());
      case RecordTransferDebitRefused refused ->
          new TransferCommand.RecordDebitRefused(refused.getCode(), refused.getDetail());
      case RecordTransferCredit credit -> new TransferCommand.RecordCredit();
      case RecordTransferCreditRefused refused ->
          new TransferCommand.RecordCreditRefused(refused.getCode(), refused.getDetail());
      case RecordTransferRefund refund -> new TransferCommand.RecordRefund();
      default -> throw new IllegalArgumentException("not a transfer command: " + record.getSchema().getFullName());
    };
  }

  @Override
  public SpecificRecord command(TransferCommand command, CommandMetadata metadata) {
    return switch (command) {
      case TransferCommand.RequestTransfer request ->
          new RequestTransfer(metadata, request.from(), request.to(), request.amount(), request.reference());
      case TransferCommand.RecordDebit debit -> new RecordTransferDebit(metadata, debit.currency());
      case TransferCommand.RecordDebitRefused refused ->
          new RecordTransferDebitRefused(metadata, refused.code(), refused.detail());
      case TransferCommand.RecordCredit credit -> new RecordTransferCredit(metadata);
      case TransferCommand.RecordCreditRefused refused ->
          new RecordTransferCreditRefused(metadata, refused.code(), refused.detail());
      case TransferCommand.RecordRefund refund -> new RecordTransferRefund(metadata);
    };
  }

  @Override
  public SpecificRecord event(TransferEvent event, EventMetadata metadata) {
    return switch (event) {
      case TransferEvent.TransferRequested requested -> new TransferRequested(metadata, requested.from(),
          requested.to(), requested.amount(), requested.reference());
      case TransferEvent.TransferDebited debited -> new TransferDebited(metadata, debited.currency());
      case TransferEvent.TransferCompleted completed -> new TransferCompleted(metadata);
      case TransferEvent.TransferCreditRefused refused ->
          new TransferCreditRefused(metadata, refused.code(), refused.detail());
      case TransferEvent.TransferFailed failed ->
          new TransferFailed(metadata, failed.code(), failed.detail(), failed.refunded());
    };
  }

  @Override
  public TransferEvent event(SpecificRecord record) {
    return switch (record) {
      case TransferRequested requested -> new TransferEvent.TransferRequested(requested.getFrom(), requested.getTo(),
          requested.getAmount(), requested.getReference());
      case TransferDebited debited -> new TransferEvent.TransferDebited(debited.getCurrency());
      case TransferCompleted completed -> new TransferEvent.TransferCompleted();
      case TransferCreditRefused refused -> new TransferEvent.TransferCreditRefused(refused.getCode(), refused.getDetail());
      case TransferFailed failed ->
          new TransferEvent.TransferFailed(failed.getCode(), failed.getDetail(), failed.getRefunded());
      default -> throw new IllegalArgumentException("not a transfer event: " + record.getSchema().getFullName());
    };
  }

  @Override
  public long version(TransferState state) {
    return state.version();
  }

  @Override
  public SpecificRecord snapshot(TransferState state) {
    return new TransferSnapshot(TransferStage.valueOf(state.stage().name()), state.from(), state.to(), state.amount(),
        state.reference(), state.currency(), state.reasonCode(), state.reasonDetail(), state.refunded(),
        state.version());
  }

  @Override
  public TransferState state(SpecificRecord snapshot) {
    TransferSnapshot s = (TransferSnapshot) snapshot;
    return new TransferState(TransferState.Stage.valueOf(s.getStage().name()), s.getFrom(), s.getTo(), s.getAmount(),
        s.getReference(), s.getCurrency(), s.getReasonCode(), s.getReasonDetail(), s.getRefunded(), s.getVersion());
  }
}
