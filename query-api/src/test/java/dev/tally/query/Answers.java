package dev.tally.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reading the query API's answers in tests, and what every refusal must look like. */
final class Answers {

  static final JsonMapper JSON = JsonMapper.builder().build();

  private Answers() {
  }

  static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  /** A 4xx/5xx answer as the contract says: problem+json with type, title, status, detail; no internals. */
  static JsonNode assertProblem(HttpResponse<String> response, int status) {
    return assertProblem(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
        response.body(), status);
  }

  static JsonNode assertProblem(int actualStatus, String contentType, String body, int status) {
    assertThat(actualStatus).as(body).isEqualTo(status);
    assertThat(contentType).as(body).startsWith("application/problem+json");
    JsonNode problem = JSON.readTree(body);
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("type").asString()).as("type").startsWith("/problems/");
    assertThat(problem.hasNonNull("title")).as("title").isTrue();
    assertThat(problem.hasNonNull("detail")).as("detail").isTrue();
    assertThat(body).doesNotContain("Exception", "\tat ", "dev.tally.", "trace");
    return problem;
  }
}
