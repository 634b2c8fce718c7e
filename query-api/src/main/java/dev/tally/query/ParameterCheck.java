package dev.tally.query;

import dev.tally.runtime.web.Problem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * The query string of every query, checked before any handler reads a parameter, the same way on
 * every endpoint. Tomcat decodes it lazily, on the first parameter asked for, and fails then on
 * broken percent-encoding, bytes that are not UTF-8 or too many parameters: forced here, so that
 * the failure is always a 400 ({@code ProblemHandler}), also on endpoints that read no parameter.
 * A parameter given twice is refused too, rather than joined with a comma into one value.
 */
final class ParameterCheck implements HandlerInterceptor {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
      if (parameter.getValue().length > 1) {
        String name = NAME.matcher(parameter.getKey()).matches() ? parameter.getKey() : "query";
        throw Problem.invalidParameter("invalid-query", name, "Give each parameter once; " + name + " is given "
            + parameter.getValue().length + " times.");
      }
    }
    return true;
  }
}
