package dev.tally.query.problem;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * Every refusal of the query API, as an exception carrying its RFC 9457 problem: mapped to HTTP in
 * one place ({@link ProblemHandler}).
 */
public class Problem extends RuntimeException {

  /** Base of every problem type Tally defines; the last segment names the problem. */
  public static final String TYPE_BASE = "/problems/";

  private final HttpStatus status;
  private final String type;
  private final String title;
  private final List<Map<String, String>> errors;
  private final Duration retryAfter;

  Problem(HttpStatus status, String type, String title, String detail, List<Map<String, String>> errors,
      Duration retryAfter) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
    this.errors = errors;
    this.retryAfter = retryAfter;
  }

  /** A request parameter (path, query or header) that is not acceptable. */
  public static Problem invalidParameter(String type, String parameter, String detail) {
    return new Problem(HttpStatus.BAD_REQUEST, type, "Invalid request parameter", detail,
        List.of(Map.of("field", parameter, "message", detail)), null);
  }

  public static Problem notFound(String detail) {
    return new Problem(HttpStatus.NOT_FOUND, "not-found", "Not found", detail, List.of(), null);
  }

  /** The read model has not caught up with a consistency token within the bound. */
  public static Problem readModelBehind(String detail, Duration retryAfter) {
    return new Problem(HttpStatus.SERVICE_UNAVAILABLE, "read-model-behind", "Read model not yet up to date", detail,
        List.of(), retryAfter);
  }

  /** A request would have to wait for a consistency token, but as many as allowed wait already. */
  public static Problem tooManyWaits(String detail, Duration retryAfter) {
    return new Problem(HttpStatus.SERVICE_UNAVAILABLE, "too-many-consistency-waits",
        "Too many requests waiting for the read model", detail, List.of(), retryAfter);
  }

  /** The read model's database cannot be reached. */
  public static Problem unavailable(String detail, Duration retryAfter) {
    return new Problem(HttpStatus.SERVICE_UNAVAILABLE, "read-model-unavailable", "Read model unavailable", detail,
        List.of(), retryAfter);
  }

  public HttpStatus status() {
    return status;
  }

  /** Seconds for {@code Retry-After}, or null. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /**
   * Gives a problem raised by the framework (unknown path, wrong method, ...) a Tally type named
   * after its status, such as {@code .../not-found} or {@code .../method-not-allowed}, instead of
   * {@code about:blank}, so every problem carries a {@code type}.
   */
  public static void typeFromStatus(ProblemDetail problem) {
    if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
      HttpStatus status = HttpStatus.resolve(problem.getStatus());
      String name = status == null ? "error-" + problem.getStatus() : status.name().toLowerCase().replace('_', '-');
      problem.setType(URI.create(TYPE_BASE + name));
    }
    if (problem.getTitle() == null) {
      HttpStatus status = HttpStatus.resolve(problem.getStatus());
      problem.setTitle(status == null ? "Error" : status.getReasonPhrase());
    }
  }

  public ProblemDetail toProblemDetail() {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, getMessage());
    problem.setType(URI.create(TYPE_BASE + type));
    problem.setTitle(title);
    if (!errors.isEmpty()) {
      problem.setProperty("errors", errors);
    }
    return problem;
  }
}
