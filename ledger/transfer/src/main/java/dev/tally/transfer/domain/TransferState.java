package dev.tally.transfer.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * The state of one transfer, as folded from its events: where the saga stands ({@code stage}), what
 * was asked, the source currency once debited, and the reason once a leg was refused. Text fields
 * are empty until known; {@code version} is the number of events applied.
 */
public record TransferState(Stage stage, String from, String to, long amount, String reference, String currency,
    String reasonCode, String reasonDetail, boolean refunded, long version) {

  /** What a client sees: the transfer is under way, done, or failed for good. */
  public enum Status { NEW, PENDING, COMPLETED, FAILED }

  /** Where the saga stands: the stage names the leg it waits for. */
  public enum Stage {
    /** Never requested. */
    NEW(Status.NEW, null),
    /** Requested; waiting for the source's debit. */
    DEBITING(Status.PENDING, TransferStep.DEBIT),
    /** Debited; waiting for the target's credit. */
    CREDITING(Status.PENDING, TransferStep.CREDIT),
    /** The credit was refused; waiting for the source's refund. */
    REFUNDING(Status.PENDING, TransferStep.REFUND),
    /** Credited; the source is told to settle, which the transfer does not wait for. */
    COMPLETED(Status.COMPLETED, TransferStep.SETTLE),
    /** Refused at the debit, or refunded after the credit was refused. */
    FAILED(Status.FAILED, null);

    private final Status status;
    private final TransferStep step;

    Stage(Status status, TransferStep step) {
      this.status = status;
      this.step = step;
    }
  }

  public TransferState {
    Objects.requireNonNull(stage, "stage");
  }

  /** A transfer with no events. */
  public static TransferState initial() {
    return new TransferState(Stage.NEW, "", "", 0, "", "", "", "", false, 0);
  }

  /** What a client sees. */
  public Status status() {
    return stage.status;
  }

  /** The account leg this stage calls for, if any. */
  public Optional<TransferStep> step() {
    return Optional.ofNullable(stage.step);
  }
}
