package dev.tally.runtime.projection;

/**
 * A record written with a schema this reader does not know: a writer newer than this projector.
 * Never poison (a newer reader will read it): the projection stops, retries, and says why in its
 * health until one is deployed. Thrown by {@link Projection#read}.
 */
public final class ReaderTooOldException extends RuntimeException {

  public ReaderTooOldException(String message, Throwable cause) {
    super(message, cause);
  }
}
