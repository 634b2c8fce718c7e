package dev.tally.command.http;

import dev.tally.runtime.writer.http.CommandRequest;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;

/** What each command header means, said once in the OpenAPI document for every operation that takes it. */
final class CommandHeaders {

  private static final Map<String, String> HEADERS = Map.of(
      CommandRequest.IDEMPOTENCY_KEY,
      "1 to 255 printable ASCII characters, sent at most once. A repeat with the same body returns the first "
          + "answer and appends nothing; the same key with another body gets 422.",
      CommandRequest.IF_MATCH,
      "The version the aggregate must be at, in double quotes as sent in ETag (\"3\"); otherwise 412 and nothing "
          + "is appended.",
      CommandRequest.CORRELATION_ID,
      "1 to 100 printable ASCII characters, sent at most once: carried unchanged into the command and into the "
          + "correlationId of every event it appends, so that a request can be followed through the log. "
          + "Without it, a random UUID is used.");

  private CommandHeaders() {
  }

  static OpenApiCustomizer descriptions() {
    return openApi -> openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
      if (operation.getParameters() != null) {
        operation.getParameters().stream()
            .filter(parameter -> "header".equals(parameter.getIn()) && HEADERS.containsKey(parameter.getName()))
            .forEach(parameter -> parameter.description(HEADERS.get(parameter.getName())));
      }
    }));
  }
}
