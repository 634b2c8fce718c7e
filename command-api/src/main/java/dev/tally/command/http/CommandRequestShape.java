package dev.tally.command.http;

import dev.tally.runtime.writer.http.CommandRequest;
import dev.tally.runtime.web.Problem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * What every command request must look like before its handler reads anything: no query, a body
 * only as {@code application/json} in UTF-8, and each command header at most once. Checked ahead
 * of argument binding so that a malformed envelope gets a precise 4xx from {@link Problems}
 * instead of failing deep in a message converter (a wildcard Content-Type there is a 500).
 */
final class CommandRequestShape implements HandlerInterceptor {

  /** Headers whose repetition would be ambiguous: the servlet API would silently join them with commas. */
  private static final List<String> SINGLE_HEADERS = List.of(
      CommandRequest.IDEMPOTENCY_KEY, CommandRequest.CORRELATION_ID, CommandRequest.IF_MATCH);

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
      throws HttpMediaTypeNotSupportedException {
    if (request.getQueryString() != null) {
      throw Problem.invalidField("query", "commands take no query parameters");
    }
    for (String name : SINGLE_HEADERS) {
      if (Collections.list(request.getHeaders(name)).size() > 1) {
        throw Problem.invalidField(name, "must be sent at most once");
      }
    }
    String contentType = request.getContentType();
    if (contentType != null) {
      requireJson(contentType);
    } else if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
      throw unsupported("a body must be sent as application/json");
    }
    return true;
  }

  /** Exactly {@code application/json}: no wildcard, no other type, and a charset, if any, of UTF-8 (RFC 8259). */
  private static void requireJson(String contentType) throws HttpMediaTypeNotSupportedException {
    MediaType type;
    try {
      type = MediaType.parseMediaType(contentType);
    } catch (InvalidMediaTypeException e) {
      throw unsupported("the Content-Type cannot be parsed; it must be application/json");
    }
    if (!type.getType().equals("application") || !type.getSubtype().equals("json")) {
      throw unsupported("the Content-Type must be application/json, not " + type);
    }
    Charset charset;
    try {
      charset = type.getCharset();
    } catch (IllegalArgumentException e) {
      throw unsupported("JSON is read as UTF-8 only");
    }
    if (charset != null && !charset.equals(StandardCharsets.UTF_8)) {
      throw unsupported("JSON is read as UTF-8 only, not " + charset.name());
    }
  }

  private static HttpMediaTypeNotSupportedException unsupported(String detail) {
    HttpMediaTypeNotSupportedException e =
        new HttpMediaTypeNotSupportedException(detail, List.of(MediaType.APPLICATION_JSON));
    e.getBody().setDetail(detail);
    return e;
  }
}
