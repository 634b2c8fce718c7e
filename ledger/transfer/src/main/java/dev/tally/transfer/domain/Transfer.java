package dev.tally.transfer.domain;

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
import dev.tally.transfer.domain.TransferRejection.SameAccount;
import dev.tally.transfer.domain.TransferRejection.StepOutOfOrder;
import dev.tally.transfer.domain.TransferRejection.TransferAlreadyExists;
import dev.tally.transfer.domain.TransferRejection.TransferNotFound;
import dev.tally.transfer.domain.TransferState.Stage;
import dev.tally.runtime.core.Decider;
import dev.tally.runtime.core.Decision;
import dev.tally.runtime.core.TextRule;
import java.util.regex.Pattern;

/**
 * The rules of a transfer between two accounts, as a pure decider: the saga's record. It moves no
 * money itself; {@link TransferProcess} sends each leg to the account that owns it and records the
 * answer here. Each step is recorded once: recording it again changes nothing (a replay), recording
 * a contradicting outcome is refused (ADR 36).
 */
public final class Transfer implements Decider<TransferCommand, TransferEvent, TransferState, TransferRejection> {

  /** The shared instance; the decider is stateless. */
  public static final Transfer DECIDER = new Transfer();

  /**
   * The largest amount one transfer may move: what one account movement may (the account's rule,
   * restated here: slices share published contracts, not code; a test keeps the two equal).
   */
  public static final long MAX_AMOUNT = 1_000_000_000_000L;

  /**
   * The reference ends up in both accounts' history, so it obeys the account's rule (restated, as
   * {@link #MAX_AMOUNT}).
   */
  public static final TextRule REFERENCE = TextRule.text(500).withoutControls();

  /** A refusal's stable code, as the refusing account gave it. */
  public static final TextRule REASON_CODE = TextRule.text(100).withoutControls().nonBlank();

  /** A refusal's sentence, as the refusing account gave it. */
  public static final TextRule REASON_DETAIL = TextRule.text(1000).withoutControls();

  /**
   * An account id as it keys the account's stream ({@code UUID.toString()}): compared exactly, so
   * that an upper-case spelling is not taken for another account.
   */
  private static final Pattern ACCOUNT_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** Prefer {@link #DECIDER}; instances are interchangeable. */
  public Transfer() {}

  @Override
  public TransferState initialState() {
    return TransferState.initial();
  }

  @Override
  public Decision<TransferEvent, TransferRejection> decide(TransferCommand command, TransferState state) {
    return switch (command) {
      case RequestTransfer request -> request(request, state);
      case RecordDebit debit -> switch (state.stage()) {
        case NEW -> Decision.reject(new TransferNotFound());
        case DEBITING -> Decision.accept(new TransferDebited(debit.currency()));
        case CREDITING, REFUNDING, COMPLETED -> Decision.accept();
        case FAILED -> state.refunded() ? Decision.accept() : outOfOrder("a debit", state);
      };
      case RecordDebitRefused refused -> isValidReason(refused.code(), refused.detail())
          ? switch (state.stage()) {
            case NEW -> Decision.reject(new TransferNotFound());
            case DEBITING -> Decision.accept(new TransferFailed(refused.code(), refused.detail(), false));
            case FAILED -> state.refunded() ? outOfOrder("a refused debit", state) : Decision.accept();
            case CREDITING, REFUNDING, COMPLETED -> outOfOrder("a refused debit", state);
          }
          : Decision.reject(new InvalidReason());
      case RecordCredit credit -> switch (state.stage()) {
        case NEW -> Decision.reject(new TransferNotFound());
        case CREDITING -> Decision.accept(new TransferCompleted());
        case COMPLETED -> Decision.accept();
        case DEBITING, REFUNDING, FAILED -> outOfOrder("a credit", state);
      };
      case RecordCreditRefused refused -> isValidReason(refused.code(), refused.detail())
          ? switch (state.stage()) {
            case NEW -> Decision.reject(new TransferNotFound());
            case CREDITING -> Decision.accept(new TransferCreditRefused(refused.code(), refused.detail()));
            case REFUNDING -> Decision.accept();
            case FAILED -> state.refunded() ? Decision.accept() : outOfOrder("a refused credit", state);
            case DEBITING, COMPLETED -> outOfOrder("a refused credit", state);
          }
          : Decision.reject(new InvalidReason());
      case RecordRefund refund -> switch (state.stage()) {
        case NEW -> Decision.reject(new TransferNotFound());
        case REFUNDING -> Decision.accept(new TransferFailed(state.reasonCode(), state.reasonDetail(), true));
        case FAILED -> state.refunded() ? Decision.accept() : outOfOrder("a refund", state);
        case DEBITING, CREDITING, COMPLETED -> outOfOrder("a refund", state);
      };
    };
  }

  @Override
  public TransferState evolve(TransferState state, TransferEvent event) {
    long version = state.version() + 1;
    return switch (event) {
      case TransferRequested requested -> new TransferState(Stage.DEBITING, requested.from(), requested.to(),
          requested.amount(), requested.reference(), "", "", "", false, version);
      case TransferDebited debited -> new TransferState(Stage.CREDITING, state.from(), state.to(), state.amount(),
          state.reference(), debited.currency(), "", "", false, version);
      case TransferCompleted completed -> new TransferState(Stage.COMPLETED, state.from(), state.to(), state.amount(),
          state.reference(), state.currency(), "", "", false, version);
      case TransferCreditRefused refused -> new TransferState(Stage.REFUNDING, state.from(), state.to(),
          state.amount(), state.reference(), state.currency(), refused.code(), refused.detail(), false, version);
      case TransferFailed failed -> new TransferState(Stage.FAILED, state.from(), state.to(), state.amount(),
          state.reference(), state.currency(), failed.code(), failed.detail(), failed.refunded(), version);
    };
  }

  /** Whether {@code id} is an account id in the form that keys the account's stream. */
  private static boolean isAccountId(String id) {
    return id != null && ACCOUNT_ID.matcher(id).matches();
  }

  private static Decision<TransferEvent, TransferRejection> request(RequestTransfer request, TransferState state) {
    if (state.stage() != Stage.NEW) {
      return Decision.reject(new TransferAlreadyExists());
    }
    if (!isAccountId(request.from())) {
      return Decision.reject(new InvalidAccount("from"));
    }
    if (!isAccountId(request.to())) {
      return Decision.reject(new InvalidAccount("to"));
    }
    if (request.from().equals(request.to())) {
      return Decision.reject(new SameAccount());
    }
    if (request.amount() <= 0 || request.amount() > MAX_AMOUNT) {
      return Decision.reject(new InvalidAmount(request.amount()));
    }
    if (!REFERENCE.accepts(request.reference())) {
      return Decision.reject(new InvalidReference());
    }
    return Decision.accept(new TransferRequested(request.from(), request.to(), request.amount(), request.reference()));
  }

  private static boolean isValidReason(String code, String detail) {
    return REASON_CODE.accepts(code) && REASON_DETAIL.accepts(detail);
  }

  private static Decision<TransferEvent, TransferRejection> outOfOrder(String step, TransferState state) {
    return Decision.reject(new StepOutOfOrder(step, state.stage()));
  }
}
