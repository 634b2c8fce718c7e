package dev.tally.command.http;

import dev.tally.runtime.web.Problem.FieldError;
import java.util.List;

/** The request is malformed; each error names the offending field and what is wrong with it. */
final class InvalidRequest extends RuntimeException {

  private final List<FieldError> errors;

  InvalidRequest(String detail, List<FieldError> errors) {
    super(detail);
    this.errors = List.copyOf(errors);
  }

  InvalidRequest(String field, String message) {
    this("the request is invalid", List.of(new FieldError(field, message)));
  }

  List<FieldError> errors() {
    return errors;
  }
}
