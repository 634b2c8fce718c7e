package dev.tally.runtime.writer.http;

import dev.tally.runtime.writer.CommandGateway;
import dev.tally.runtime.web.Problem;
import dev.tally.runtime.web.ProblemHandler;
import dev.tally.runtime.web.ProblemKind;
import java.time.Duration;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The refusals of a command API that are not problems yet: commands not confirmed. */
@RestControllerAdvice
public class CommandProblems extends ProblemHandler {

  /** 503 for a command that was not executed: nothing was appended, nothing will be ({@code outcome: not-executed}). */
  static Problem notExecuted(String why, Duration retryAfter) {
    return unavailable(why + ": nothing was appended; retry later", "not-executed", retryAfter);
  }

  /**
   * 503 for a command whose outcome is unknown ({@code outcome: unknown}): it may still be
   * appended, so only a retry with the same key is safe, and it returns the outcome (ADR 8).
   */
  static Problem unconfirmed(String why, Duration retryAfter) {
    return unavailable(why + ": it may still be executed. Retry with the same Idempotency-Key to learn its outcome;"
        + " a retry without one may execute it twice", "unknown", retryAfter);
  }

  private static Problem unavailable(String detail, String outcome, Duration retryAfter) {
    return Problem.of(ProblemKind.UNAVAILABLE, "unavailable", detail).with("outcome", outcome).retryAfter(retryAfter);
  }


  @ExceptionHandler(CommandGateway.Unavailable.class)
  ResponseEntity<Object> unavailable(CommandGateway.Unavailable e) {
    return (e.mayBeAppended() ? unconfirmed(e.getMessage(), e.retryAfter()) : notExecuted(e.getMessage(), e.retryAfter()))
        .toResponse();
  }
}
