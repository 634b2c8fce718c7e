package dev.tally.command.http;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * Shapes of the JSON bodies and meanings of the headers, for the OpenAPI document only: requests
 * are read strictly by {@link JsonBody} and {@link CommandRequestShape}, so this describes the
 * contract without taking part in parsing.
 */
final class ApiDocs {

  /** What each command header means, said once for every operation that takes it. */
  private static final Map<String, String> HEADERS = Map.of(
      AccountController.IDEMPOTENCY_KEY,
      "1 to 255 printable ASCII characters, sent at most once. A repeat with the same body returns the first "
          + "answer and appends nothing; the same key with another body gets 422.",
      AccountController.IF_MATCH,
      "The version the account must be at, in double quotes as sent in ETag (\"3\"); otherwise 412 and nothing "
          + "is appended.",
      AccountController.CORRELATION_ID,
      "1 to 100 printable ASCII characters, sent at most once: carried unchanged into the command and into the "
          + "correlationId of every event it appends, so that a request can be followed through the log. "
          + "Without it, a random UUID is used.");

  private ApiDocs() {
  }

  static OpenApiCustomizer headerDescriptions() {
    return openApi -> openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
      if (operation.getParameters() != null) {
        operation.getParameters().stream()
            .filter(parameter -> "header".equals(parameter.getIn()) && HEADERS.containsKey(parameter.getName()))
            .forEach(parameter -> parameter.description(HEADERS.get(parameter.getName())));
      }
    }));
  }

  @Schema(name = "OpenAccount", requiredProperties = {"owner", "currency"})
  record OpenAccountBody(
      @Schema(example = "alice", maxLength = 200,
          description = "Non-blank Unicode text of at most 200 characters (code points), without control characters")
      String owner,
      @Schema(example = "EUR", description = "ISO 4217 code", pattern = "^[A-Z]{3}$") String currency) {
  }

  @Schema(name = "MoneyMovement", requiredProperties = {"amount"})
  record MoneyBody(
      @Schema(example = "1050", description = "Minor units (cents), 1 to 10^12", minimum = "1") long amount,
      @Schema(example = "invoice 42", maxLength = 500,
          description = "Unicode text of at most 500 characters (code points), without control characters; empty when absent")
      String reference) {
  }

  @Schema(name = "CommandAccepted")
  record Accepted(
      @Schema(format = "uuid") String accountId,
      @Schema(example = "3") long version,
      @Schema(description = "Pass as Consistency-Token to the query API to read this write") String consistencyToken) {
  }
}
