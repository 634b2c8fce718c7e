package dev.tally.runtime.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the servlet container's error page shows (an error raised outside Spring MVC, by a filter
 * say): a problem too, never a stack trace or an HTML page. Asked for directly, the page is no
 * resource: a 404, as any unknown path.
 */
@RestController
class ProblemErrorController implements ErrorController {

  @RequestMapping("${server.error.path:${error.path:/error}}")
  ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    HttpStatus status = !(code instanceof Integer value) ? HttpStatus.NOT_FOUND
        : HttpStatus.resolve(value) != null ? HttpStatus.valueOf(value) : HttpStatus.INTERNAL_SERVER_ERROR;
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, status.is5xxServerError() ? Problem.INTERNAL_ERROR
        : "The request was refused: " + status.getReasonPhrase() + ".");
    ProblemHandler.typeFromStatus(problem);
    return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
  }
}
