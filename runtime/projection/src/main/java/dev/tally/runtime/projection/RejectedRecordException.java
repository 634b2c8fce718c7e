package dev.tally.runtime.projection;

/**
 * A record a projection can never apply, whatever it is retried with: it goes to the dead-letter
 * topic and parks its key (poison). Thrown by {@link Projection#read}.
 */
public final class RejectedRecordException extends RuntimeException {

  private final DeadLetters.Reason reason;

  /**
   * @param reason {@link DeadLetters.Reason#UNDECODABLE} (the bytes are not a record) or
   *     {@link DeadLetters.Reason#INVALID} (a record this projection cannot apply)
   */
  public RejectedRecordException(DeadLetters.Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public DeadLetters.Reason reason() {
    return reason;
  }

  /** What the dead letter names as the exception: the underlying one where there is one. */
  Throwable origin() {
    return getCause() == null ? this : getCause();
  }
}
