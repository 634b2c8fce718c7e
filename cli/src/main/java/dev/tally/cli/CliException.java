package dev.tally.cli;

/** A refusal or failure the user should read: printed as one line on stderr, exit code 1. */
public final class CliException extends RuntimeException {

  public CliException(String message) {
    super(message);
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
