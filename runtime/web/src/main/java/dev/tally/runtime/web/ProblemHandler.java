package dev.tally.runtime.web;

import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Where refusals become HTTP inside Spring MVC: a {@link Problem} as it is, Spring MVC's own
 * refusals (unknown path, wrong method, unreadable body, ...) with a Tally type named after their
 * status, anything unexpected as a bare 500, never with a stack trace. An API's advice extends it
 * with the exceptions only it knows.
 */
public abstract class ProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  @ExceptionHandler(Problem.class)
  protected ResponseEntity<Object> problem(Problem problem) {
    return problem.toResponse();
  }

  @ExceptionHandler(Exception.class)
  protected ResponseEntity<Object> unexpected(Exception e) {
    log.error("unexpected failure", e);
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, Problem.INTERNAL_ERROR);
    typeFromStatus(problem);
    problem.setTitle("Internal error");
    return ResponseEntity.internalServerError().contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
  }

  @Override
  protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode status,
      WebRequest request) {
    if (body instanceof ProblemDetail problem) {
      typeFromStatus(problem);
    }
    HttpHeaders problemHeaders = new HttpHeaders();
    problemHeaders.putAll(headers);
    problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    return super.createResponseEntity(body, problemHeaders, status, request);
  }

  /** Gives a problem the framework made a type named after its status, instead of {@code about:blank}. */
  static void typeFromStatus(ProblemDetail problem) {
    if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
      problem.setType(URI.create(Problem.TYPE_BASE + Problem.codeOf(problem.getStatus())));
    }
  }
}
