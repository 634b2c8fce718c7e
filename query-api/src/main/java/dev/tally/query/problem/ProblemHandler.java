package dev.tally.query.problem;

import java.time.Duration;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place refusals become HTTP: RFC 9457 problem details ({@code application/problem+json})
 * for Tally's own problems, for Spring MVC's (unknown path, wrong method, missing parameter, ...),
 * and a bare 500 for anything unexpected, never with a stack trace.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  @ExceptionHandler(Problem.class)
  ResponseEntity<ProblemDetail> problem(Problem problem) {
    HttpHeaders headers = new HttpHeaders();
    if (problem.retryAfter() != null) {
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, problem.retryAfter().toSeconds())));
    }
    return ResponseEntity.status(problem.status()).headers(headers).contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem.toProblemDetail());
  }

  /** Tomcat could not decode the query string (see ParameterCheck). */
  @ExceptionHandler(InvalidParameterException.class)
  ResponseEntity<ProblemDetail> invalidQuery(InvalidParameterException e) {
    return problem(Problem.invalidParameter("invalid-query", "query", "The query string is not valid: broken "
        + "percent-encoding, text that is not UTF-8, or more parameters than allowed."));
  }

  @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class})
  ResponseEntity<ProblemDetail> databaseUnavailable(Exception e) {
    log.warn("read model unavailable: {}", e.toString());
    return problem(Problem.unavailable("The read model cannot be reached right now; retry later.", Duration.ofSeconds(1)));
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e) {
    log.error("unexpected failure", e);
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
        "The request could not be answered because of an internal error.");
    problem.setTitle("Internal error");
    Problem.typeFromStatus(problem);
    return ResponseEntity.internalServerError().contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
  }

  @Override
  protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
      HttpStatusCode statusCode, WebRequest request) {
    ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
    if (response == null || !(response.getBody() instanceof ProblemDetail)) {
      return response;
    }
    Problem.typeFromStatus((ProblemDetail) response.getBody());
    HttpHeaders withType = new HttpHeaders();
    withType.putAll(response.getHeaders());
    withType.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    return new ResponseEntity<>(response.getBody(), withType, response.getStatusCode());
  }
}
