package dev.tally.runtime.web;

import org.springframework.http.HttpStatus;

/** What kind of refusal a problem is: the one place a refusal gets its HTTP status. */
public enum ProblemKind {
  /** The request, or a value in it, is not acceptable. */
  INVALID,
  /** What the request names does not exist. */
  NOT_FOUND,
  /** The state of what the request names refuses it. */
  CONFLICT,
  /** The request's precondition ({@code If-Match}) does not hold. */
  PRECONDITION_FAILED,
  /** The request contradicts an earlier one it claims to repeat (an idempotency key reused). */
  UNPROCESSABLE,
  /** The request could not be served now; it may be retried. */
  UNAVAILABLE;

  public HttpStatus status() {
    return switch (this) {
      case INVALID -> HttpStatus.BAD_REQUEST;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case CONFLICT -> HttpStatus.CONFLICT;
      case PRECONDITION_FAILED -> HttpStatus.PRECONDITION_FAILED;
      case UNPROCESSABLE -> HttpStatus.UNPROCESSABLE_CONTENT;
      case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
    };
  }
}
