package dev.tally.runtime.web;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's error report, as a problem instead of an HTML page: requests that Tomcat refuses
 * before any servlet sees them (a malformed percent escape or an encoded slash in the path, say)
 * get the same {@code application/problem+json} answer as every other refusal. Public, because
 * Tomcat creates it by class name ({@code StandardHost.errorReportValveClass}).
 */
public class ProblemReportValve extends ErrorReportValve {

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    // As Tomcat's own report: only errors, only once, and only while a body can still be written.
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    AtomicBoolean ioAllowed = new AtomicBoolean();
    response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
    if (!ioAllowed.get()) {
      return;
    }
    try {
      response.resetBuffer();
      Problem.write(response, status, status >= 500 ? Problem.INTERNAL_ERROR
          : "The request was refused before it could be read"
              + (response.getMessage() == null ? "." : ": " + response.getMessage()));
      response.finishResponse();
    } catch (IOException | IllegalStateException e) {
      // The client went away, or the response was committed meanwhile: nothing more can be said.
    }
  }
}
