package dev.tally.command.http;

import dev.tally.platform.gateway.CommandGateway;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place where refusals become HTTP: RFC 9457 problem details, with a {@code type} of
 * {@code /problems/<code>} whose last segment is the stable rejection code.
 */
@RestControllerAdvice
class Problems extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(Problems.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** HTTP status of each rejection code of the rules; anything else is a conflict with the state. */
  private static final Map<String, HttpStatus> STATUS_OF_CODE = Map.of(
      "account-not-found", HttpStatus.NOT_FOUND,
      "invalid-amount", HttpStatus.BAD_REQUEST,
      "invalid-currency", HttpStatus.BAD_REQUEST,
      "invalid-owner", HttpStatus.BAD_REQUEST,
      "invalid-reference", HttpStatus.BAD_REQUEST,
      "version-mismatch", HttpStatus.PRECONDITION_FAILED,
      "idempotency-key-reused", HttpStatus.UNPROCESSABLE_CONTENT);

  static HttpStatus statusOf(String code) {
    return STATUS_OF_CODE.getOrDefault(code, HttpStatus.CONFLICT);
  }

  static ResponseEntity<Object> refusal(String code, String detail) {
    return ResponseEntity.status(statusOf(code)).body(problem(statusOf(code), code, detail));
  }

  /** 503 for a command that was not executed: nothing was appended, nothing will be ({@code outcome: not-executed}). */
  static ResponseEntity<Object> notExecuted(String why, Duration retryAfter) {
    return unavailable(why + ": nothing was appended; retry later", "not-executed", retryAfter);
  }

  /**
   * 503 for a command whose outcome is unknown ({@code outcome: unknown}): it may still be
   * appended, so only a retry with the same key is safe, and it returns the outcome (ADR 8).
   */
  static ResponseEntity<Object> unconfirmed(String why, Duration retryAfter) {
    return unavailable(why + ": it may still be executed. Retry with the same Idempotency-Key to learn its outcome;"
        + " a retry without one may execute it twice", "unknown", retryAfter);
  }

  private static ResponseEntity<Object> unavailable(String detail, String outcome, Duration retryAfter) {
    ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", detail);
    problem.setProperty("outcome", outcome);
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, (retryAfter.toMillis() + 999) / 1000)))
        .body(problem);
  }

  static ProblemDetail problem(HttpStatusCode status, String code, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(URI.create("/problems/" + code));
    problem.setTitle(title(code));
    return problem;
  }

  /**
   * Writes a problem straight to a response, for refusals made outside Spring MVC: the body limit,
   * and requests the web server refuses before any servlet sees them.
   */
  static void write(HttpServletResponse response, int status, String detail) throws IOException {
    String code = codeOf(status);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "/problems/" + code);
    body.put("title", title(code));
    body.put("status", status);
    body.put("detail", detail);
    response.setStatus(status);
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.getWriter().write(JSON.writeValueAsString(body));
  }

  /** The problem code of a status that has no rejection code of its own: 400 is an invalid request. */
  static String codeOf(int status) {
    HttpStatus known = HttpStatus.resolve(status);
    return status == 400 || known == null ? "invalid-request" : known.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String title(String code) {
    String words = code.replace('-', ' ');
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }

  @ExceptionHandler(InvalidRequest.class)
  ResponseEntity<Object> invalid(InvalidRequest e) {
    ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-request", e.getMessage());
    if (!e.errors().isEmpty()) {
      problem.setProperty("errors", e.errors());
    }
    return ResponseEntity.badRequest().body(problem);
  }

  @ExceptionHandler(CommandGateway.Unavailable.class)
  ResponseEntity<Object> unavailable(CommandGateway.Unavailable e) {
    return e.mayBeAppended() ? unconfirmed(e.getMessage(), e.retryAfter()) : notExecuted(e.getMessage(), e.retryAfter());
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Object> unexpected(Exception e) {
    log.error("unexpected failure", e);
    return ResponseEntity.internalServerError()
        .body(problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "an unexpected error occurred"));
  }

  /** Framework refusals (415, 405, 404, unreadable bodies, bad path variables) keep their status and get a type. */
  @Override
  protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode status,
      WebRequest request) {
    if (body instanceof ProblemDetail problem
        && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
      problem.setType(URI.create("/problems/" + codeOf(status.value())));
    }
    HttpHeaders problemHeaders = new HttpHeaders();
    problemHeaders.putAll(headers);
    problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    return super.createResponseEntity(body, problemHeaders, status, request);
  }
}
