package dev.tally.account.http;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Shapes of the account's JSON bodies, for the OpenAPI document only: requests are read strictly
 * by {@link dev.tally.runtime.web.JsonBody}, so this describes the contract without taking part in
 * parsing.
 */
final class AccountApiDocs {

  private AccountApiDocs() {
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
