package dev.tally.query.problem;

import dev.tally.runtime.web.Problem;
import dev.tally.runtime.web.ProblemHandler;
import dev.tally.runtime.web.ProblemKind;
import java.time.Duration;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The query API's own problems: a read model behind, busy or unreachable, and a query string Tomcat cannot decode. */
@RestControllerAdvice
public class QueryProblems extends ProblemHandler {

  private static final Logger log = LoggerFactory.getLogger(QueryProblems.class);

  /** The read model has not caught up with a consistency token within the bound. */
  public static Problem readModelBehind(String detail, Duration retryAfter) {
    return Problem.of(ProblemKind.UNAVAILABLE, "read-model-behind", detail).titled("Read model not yet up to date")
        .retryAfter(retryAfter);
  }

  /** A request would have to wait for a consistency token, but as many as allowed wait already. */
  public static Problem tooManyWaits(String detail, Duration retryAfter) {
    return Problem.of(ProblemKind.UNAVAILABLE, "too-many-consistency-waits", detail)
        .titled("Too many requests waiting for the read model").retryAfter(retryAfter);
  }

  /** The read model's database cannot be reached. */
  public static Problem unavailable(String detail, Duration retryAfter) {
    return Problem.of(ProblemKind.UNAVAILABLE, "read-model-unavailable", detail).titled("Read model unavailable")
        .retryAfter(retryAfter);
  }

  /** Tomcat could not decode the query string (see ParameterCheck). */
  @ExceptionHandler(InvalidParameterException.class)
  ResponseEntity<Object> invalidQuery(InvalidParameterException e) {
    return Problem.invalidParameter("invalid-query", "query", "The query string is not valid: broken "
        + "percent-encoding, text that is not UTF-8, or more parameters than allowed.").toResponse();
  }

  @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class})
  ResponseEntity<Object> databaseUnavailable(Exception e) {
    log.warn("read model unavailable: {}", e.toString());
    return unavailable("The read model cannot be reached right now; retry later.", Duration.ofSeconds(1)).toResponse();
  }
}
