package dev.tally.runtime.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletResponse;

class ProblemTest {

  @Test
  void aRefusalIsTypedByItsCodeTitledInWordsAndGetsTheStatusOfItsKind() {
    ResponseEntity<Object> response = Problem.of(ProblemKind.CONFLICT, "insufficient-funds", "not enough").toResponse();

    assertThat(response.getStatusCode().value()).isEqualTo(409);
    assertThat(response.getHeaders().getContentType()).hasToString("application/problem+json");
    ProblemDetail body = (ProblemDetail) response.getBody();
    assertThat(body.getType()).hasToString("/problems/insufficient-funds");
    assertThat(body.getTitle()).isEqualTo("Insufficient funds");
    assertThat(body.getDetail()).isEqualTo("not enough");
    assertThat(body.getProperties()).isNull();
  }

  @Test
  void anInvalidParameterNamesItsFieldAndAnUnavailableAnswerSaysWhenToRetry() {
    ProblemDetail invalid = Problem.invalidParameter("invalid-limit", "limit", "too big").toProblemDetail();
    assertThat(invalid.getStatus()).isEqualTo(400);
    assertThat(invalid.getTitle()).isEqualTo("Invalid request parameter");
    assertThat(invalid.getProperties()).containsEntry("errors", List.of(new Problem.FieldError("limit", "too big")));

    ResponseEntity<Object> later = Problem.of(ProblemKind.UNAVAILABLE, "unavailable", "busy")
        .with("outcome", "unknown").retryAfter(Duration.ofMillis(1500)).toResponse();
    assertThat(later.getStatusCode().value()).isEqualTo(503);
    assertThat(later.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("2");
    assertThat(((ProblemDetail) later.getBody()).getProperties()).containsEntry("outcome", "unknown");
  }

  @Test
  void aProblemWrittenOutsideSpringMvcIsNamedAfterItsStatus() throws Exception {
    MockHttpServletResponse response = new MockHttpServletResponse();

    Problem.write(response, 413, "too long");

    assertThat(response.getStatus()).isEqualTo(413);
    assertThat(response.getContentType()).startsWith("application/problem+json");
    assertThat(response.getContentAsString()).isEqualTo(
        "{\"type\":\"/problems/content-too-large\",\"title\":\"Content too large\",\"status\":413,\"detail\":\"too long\"}");
    assertThat(Problem.codeOf(400)).isEqualTo("invalid-request");
    assertThat(Problem.codeOf(500)).isEqualTo("internal-error");
    assertThat(Problem.codeOf(599)).isEqualTo("error-599");
  }
}
