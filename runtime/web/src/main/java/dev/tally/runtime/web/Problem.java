package dev.tally.runtime.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.json.JsonMapper;

/**
 * A refusal as an RFC 9457 problem: thrown anywhere in a request, or returned as a response. Its
 * {@code type} is {@code /problems/<code>}, whose last segment is the stable code clients match on;
 * its title is the code in words unless given.
 */
public final class Problem extends RuntimeException {

  /** Base of every problem type Tally defines; the last segment names the problem. */
  public static final String TYPE_BASE = "/problems/";
  /** The detail of every 500: what went wrong inside is for the log, not for the client. */
  static final String INTERNAL_ERROR = "The request could not be answered because of an internal error.";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ProblemKind kind;
  private final String code;
  private final String title;
  private final Map<String, Object> properties;
  private final Duration retryAfter;

  private Problem(ProblemKind kind, String code, String title, String detail, Map<String, Object> properties,
      Duration retryAfter) {
    super(detail, null, false, false);
    this.kind = kind;
    this.code = code;
    this.title = title;
    this.properties = properties;
    this.retryAfter = retryAfter;
  }

  /** A problem titled after its code. */
  public static Problem of(ProblemKind kind, String code, String detail) {
    return new Problem(kind, code, title(code), detail, Map.of(), null);
  }

  /** A request that is not acceptable, each error naming the offending field; none may be listed. */
  public static Problem invalid(String code, String detail, List<FieldError> errors) {
    return errors.isEmpty() ? of(ProblemKind.INVALID, code, detail)
        : of(ProblemKind.INVALID, code, detail).with("errors", List.copyOf(errors));
  }

  /** A request that is malformed: {@code invalid-request}, each error naming the offending field. */
  public static Problem invalidRequest(String detail, List<FieldError> errors) {
    return invalid("invalid-request", detail, errors);
  }

  /** A request whose one field (or header) is malformed. */
  public static Problem invalidField(String field, String message) {
    return invalidRequest("the request is invalid", List.of(new FieldError(field, message)));
  }

  /** A request parameter (path, query or header) that is not acceptable. */
  public static Problem invalidParameter(String code, String parameter, String detail) {
    return invalid(code, detail, List.of(new FieldError(parameter, detail))).titled("Invalid request parameter");
  }

  /** This problem with another title. */
  public Problem titled(String newTitle) {
    return new Problem(kind, code, newTitle, getMessage(), properties, retryAfter);
  }

  /** This problem with one more member, after the standard ones. */
  public Problem with(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(properties);
    more.put(name, value);
    return new Problem(kind, code, title, getMessage(), more, retryAfter);
  }

  /** This problem, telling the client when to retry ({@code Retry-After}, whole seconds, at least 1). */
  public Problem retryAfter(Duration after) {
    return new Problem(kind, code, title, getMessage(), properties, after);
  }

  public HttpStatus status() {
    return kind.status();
  }

  public ProblemDetail toProblemDetail() {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status(), getMessage());
    problem.setType(URI.create(TYPE_BASE + code));
    problem.setTitle(title);
    properties.forEach(problem::setProperty);
    return problem;
  }

  /** The problem as a Spring MVC answer. */
  public ResponseEntity<Object> toResponse() {
    ResponseEntity.BodyBuilder response = ResponseEntity.status(status()).contentType(MediaType.APPLICATION_PROBLEM_JSON);
    if (retryAfter != null) {
      response.header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, (retryAfter.toMillis() + 999) / 1000)));
    }
    return response.body(toProblemDetail());
  }

  /**
   * Writes a problem named after its status straight to a response, for refusals made outside
   * Spring MVC: by a filter, or by the web server before any servlet sees the request.
   */
  public static void write(HttpServletResponse response, int status, String detail) throws IOException {
    String code = codeOf(status);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", TYPE_BASE + code);
    body.put("title", title(code));
    body.put("status", status);
    body.put("detail", detail);
    response.setStatus(status);
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.getWriter().write(JSON.writeValueAsString(body));
  }

  /** The code of a problem that has only a status: its name, but 400 is an invalid request and 500 an internal error. */
  static String codeOf(int status) {
    HttpStatus known = HttpStatus.resolve(status);
    return switch (status) {
      case 400 -> "invalid-request";
      case 500 -> "internal-error";
      default -> known == null ? "error-" + status : known.name().toLowerCase(Locale.ROOT).replace('_', '-');
    };
  }

  static String title(String code) {
    String words = code.replace('-', ' ');
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }

  /** One offending field of a request and what is wrong with it. */
  public record FieldError(String field, String message) {
  }
}
