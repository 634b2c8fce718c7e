package dev.tally.transfer.domain;

import dev.tally.transfer.domain.TransferCommand.RecordCredit;
import dev.tally.transfer.domain.TransferCommand.RecordCreditRefused;
import dev.tally.transfer.domain.TransferCommand.RecordDebit;
import dev.tally.transfer.domain.TransferCommand.RecordDebitRefused;
import dev.tally.transfer.domain.TransferCommand.RecordRefund;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The transfer saga's process manager, as pure functions: which account leg a transfer calls for
 * ({@link #next}), and what an account's answer to a leg means for the transfer ({@link #onResult}).
 * The Kafka Streams application that runs it only moves records; every decision is here.
 *
 * <p>Every command it sends has a command id and an idempotency key derived from the transfer id and
 * the step, never random: a leg sent again (its trigger redelivered, or resent after {@code EXPIRED})
 * is the same command to the writer that remembers the key, and the account and transfer deciders
 * recognise it even once the key is forgotten (except the credit: ADR 36).
 */
public final class TransferProcess {

  private TransferProcess() {
  }

  /**
   * A leg to send to account {@code accountId}'s writer, with its derived ids. The leg is said in
   * the transfer's own words; the account commands it becomes are published contracts, written by
   * the transfer's wire mapping, so the two slices never share code.
   */
  public record StepCommand(String transferId, TransferStep step, String accountId, Leg leg,
      String commandId, String idempotencyKey) {}

  /** What the process asks of one account. */
  public sealed interface Leg {

    /** Take {@code amount} out of the source, towards {@code to}; it is in flight from then on. */
    record Debit(String transferId, String to, long amount) implements Leg {}

    /** Pay {@code amount}, in the source's {@code currency}, into the target, from {@code from}. */
    record Credit(String transferId, String from, long amount, String currency) implements Leg {}

    /** Give the money in flight back to the source. */
    record Refund(String transferId) implements Leg {}

    /** Tell the source its transfer arrived. */
    record Settle(String transferId) implements Leg {}
  }

  /** A step's outcome to record on transfer {@code transferId}, with its derived ids. */
  public record RecordCommand(String transferId, TransferCommand command, String commandId, String idempotencyKey) {}

  /**
   * An account's answer to a leg. An accepted leg is learnt from the event it appended, which names
   * the transfer and carries what the transfer records (the source's currency): a command result
   * carries no domain data. Refusals and expiry come from the result.
   */
  public sealed interface StepResult {

    /**
     * The leg was applied: the account appended the event of leg {@code step} of transfer
     * {@code transferId}; a debit's event also says the source's {@code currency} (null otherwise).
     */
    record Applied(String transferId, TransferStep step, String currency) implements StepResult {}

    /** The leg was accepted and changed nothing: it had been applied already. */
    record Unchanged() implements StepResult {}

    /** The account (or its writer) refused the leg. */
    record Rejected(String code, String detail) implements StepResult {}

    /** The writer answered {@code EXPIRED}: nothing was done, the leg is to be sent again as it was. */
    record Expired() implements StepResult {}
  }

  /** What the process does about an answer. */
  public sealed interface Reaction {

    /** Record this outcome on the transfer. */
    record Record(RecordCommand command) implements Reaction {}

    /** Send the same leg again, same ids. */
    record Resend(StepCommand command) implements Reaction {}

    /** Nothing more to do for this leg. */
    record Done() implements Reaction {}

    /**
     * A leg that cannot be refused was refused: the money stays where it is (in flight, or
     * credited) and an operator must look; the process must not guess.
     */
    record Halt(String reason) implements Reaction {}
  }

  /**
   * The legs a transfer calls for in {@code state}, the state right after one of its events: at
   * most one. Calling it again for the same event gives the same leg, with the same ids.
   */
  public static List<StepCommand> next(String transferId, TransferState state) {
    return state.step().map(step -> switch (step) {
      case DEBIT -> step(transferId, step, state.from(), new Leg.Debit(transferId, state.to(), state.amount()));
      case CREDIT -> step(transferId, step, state.to(),
          new Leg.Credit(transferId, state.from(), state.amount(), state.currency()));
      case REFUND -> step(transferId, step, state.from(), new Leg.Refund(transferId));
      case SETTLE -> step(transferId, step, state.from(), new Leg.Settle(transferId));
    }).map(List::of).orElse(List.of());
  }

  /** What an account's answer to {@code sent} means for the transfer. */
  public static Reaction onResult(StepCommand sent, StepResult result) {
    String transferId = sent.transferId();
    return switch (result) {
      case StepResult.Expired expired -> new Reaction.Resend(sent);
      case StepResult.Unchanged unchanged -> new Reaction.Done();
      case StepResult.Applied applied -> {
        requireLegOf(sent, applied);
        yield switch (sent.step()) {
          case DEBIT -> record(transferId, "record-debit", new RecordDebit(applied.currency()));
          case CREDIT -> record(transferId, "record-credit", new RecordCredit());
          case REFUND -> record(transferId, "record-refund", new RecordRefund());
          case SETTLE -> new Reaction.Done();
        };
      }
      case StepResult.Rejected rejected -> switch (sent.step()) {
        case DEBIT -> record(transferId, "record-debit-refused",
            new RecordDebitRefused(rejected.code(), rejected.detail()));
        case CREDIT -> record(transferId, "record-credit-refused",
            new RecordCreditRefused(rejected.code(), rejected.detail()));
        case REFUND, SETTLE -> new Reaction.Halt("account " + sent.accountId() + " refused to " + name(sent.step())
            + " transfer " + transferId + ": " + rejected.code() + ": " + rejected.detail());
      };
    };
  }

  private static StepCommand step(String transferId, TransferStep step, String accountId, Leg leg) {
    String name = name(step);
    return new StepCommand(transferId, step, accountId, leg, commandId(transferId, name), key(transferId, name));
  }

  private static Reaction record(String transferId, String name, TransferCommand command) {
    return new Reaction.Record(new RecordCommand(transferId, command, commandId(transferId, name), key(transferId, name)));
  }

  /** The event a leg appends names its transfer and its leg; any other is a caller's mistake, not an answer. */
  private static void requireLegOf(StepCommand sent, StepResult.Applied applied) {
    if (applied.step() != sent.step() || !applied.transferId().equals(sent.transferId())
        || (sent.step() == TransferStep.DEBIT) != (applied.currency() != null)) {
      throw new IllegalArgumentException("the " + name(sent.step()) + " leg of transfer " + sent.transferId()
          + " cannot have appended " + applied);
    }
  }

  private static String name(TransferStep step) {
    return step.name().toLowerCase(Locale.ROOT);
  }

  /** The idempotency key of one command of a transfer: readable, and the same whenever it is sent. */
  static String key(String transferId, String name) {
    return "transfer/" + transferId + "/" + name;
  }

  /** The command id of one command of a transfer: a name-based UUID of its key. */
  static String commandId(String transferId, String name) {
    return UUID.nameUUIDFromBytes(key(transferId, name).getBytes(StandardCharsets.UTF_8)).toString();
  }
}
