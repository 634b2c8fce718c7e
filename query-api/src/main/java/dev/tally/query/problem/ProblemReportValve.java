package dev.tally.query.problem;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's own error page, for requests refused before they reach Spring MVC (a request line with
 * broken percent-encoding, say): a problem detail instead of Tomcat's HTML page, never a stack trace.
 */
public final class ProblemReportValve extends ErrorReportValve {

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    HttpStatus known = HttpStatus.resolve(status);
    String name = known == null ? "error-" + status : known.name().toLowerCase().replace('_', '-');
    String title = known == null ? "Error" : known.getReasonPhrase();
    String detail = status >= 500 ? "The request could not be answered because of an internal error."
        : "The request was refused: " + title + ".";
    String body = "{\"type\":\"" + Problem.TYPE_BASE + name + "\",\"title\":\"" + title + "\",\"status\":" + status
        + ",\"detail\":\"" + detail + "\"}";
    try {
      response.setContentType("application/problem+json");
      response.setCharacterEncoding(StandardCharsets.UTF_8.name());
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(body);
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // the client is gone or the response is already on its way: nothing more to say
    }
  }
}
