package dev.tally.command.http;

import dev.tally.domain.account.Account;
import dev.tally.runtime.writer.CommandGateway;
import dev.tally.runtime.core.TextRule;
import dev.tally.runtime.web.Problem;
import dev.tally.runtime.web.ProblemKind;
import dev.tally.schemas.command.CloseAccount;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.CommandResult;
import dev.tally.schemas.command.DepositMoney;
import dev.tally.schemas.command.OpenAccount;
import dev.tally.schemas.command.WithdrawMoney;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.beans.PropertyEditorSupport;
import java.net.URI;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.InitBinder;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** The account commands of the HTTP contract. Each request becomes one command for the single writer. */
@RestController
class AccountController {

  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String CORRELATION_ID = "X-Correlation-Id";
  static final String IF_MATCH = "If-Match";
  private static final Pattern ETAG = Pattern.compile("\"(0|[1-9][0-9]{0,17})\"");
  private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?");
  private static final int MAX_KEY_LENGTH = 255;
  private static final Pattern CANONICAL_UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  /** Only its shape here: whether it is a known ISO 4217 code is the decider's to say. */
  private static final TextRule CURRENCY = TextRule.text(3).withoutControls().nonBlank();
  /** The kind of each rejection of the account's rules that is no conflict with its state. */
  private static final Map<String, ProblemKind> KIND_OF_REJECTION = Map.of(
      "account-not-found", ProblemKind.NOT_FOUND,
      "invalid-amount", ProblemKind.INVALID,
      "invalid-currency", ProblemKind.INVALID,
      "invalid-owner", ProblemKind.INVALID,
      "invalid-reference", ProblemKind.INVALID);

  private final CommandGateway gateway;
  private final CommandFactory commands;
  private final TokenSigner tokens;

  AccountController(CommandGateway gateway, CommandFactory commands, TokenSigner tokens) {
    this.gateway = gateway;
    this.commands = commands;
    this.tokens = tokens;
  }

  /**
   * An id is a UUID in its canonical form only. Spring's own conversion falls back to
   * {@link UUID#fromString}, which also takes {@code 1-1-1-1-1}, after trimming spaces: one account
   * would answer to many paths.
   */
  @InitBinder
  void canonicalIds(WebDataBinder binder) {
    binder.registerCustomEditor(UUID.class, new PropertyEditorSupport() {
      @Override
      public void setAsText(String text) {
        if (!CANONICAL_UUID.matcher(text).matches()) {
          throw new IllegalArgumentException("not a UUID in its canonical form");
        }
        setValue(UUID.fromString(text));
      }
    });
  }

  @PostMapping(path = "/accounts", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Open an account", responses = {
      @ApiResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = ApiDocs.Accepted.class))),
      @ApiResponse(responseCode = "400", description = "invalid request")})
  ResponseEntity<Object> open(@io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(implementation = ApiDocs.OpenAccountBody.class))) @RequestBody byte[] body,
      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key,
      @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
    JsonBody json = JsonBody.parse(body, Set.of("owner", "currency"));
    String owner = json.string("owner", Account.OWNER);
    String currency = json.string("currency", CURRENCY);
    json.validate();
    String idempotencyKey = idempotencyKey(key);
    // With a key, a retry must reach the same account (and so the same partition): derive the id from the key.
    UUID id = idempotencyKey == null ? UUID.randomUUID()
        : UUID.nameUUIDFromBytes(("account/" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
    CommandMetadata metadata = commands.metadata(id, null, idempotencyKey, correlation(correlationId),
        "open\n" + owner + "\n" + currency);
    return answer(gateway.send(id.toString(), new OpenAccount(metadata, owner, currency)), HttpStatus.CREATED);
  }

  @PostMapping(path = "/accounts/{id}/deposits", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Deposit money", responses = {
      @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ApiDocs.Accepted.class))),
      @ApiResponse(responseCode = "404", description = "unknown account"),
      @ApiResponse(responseCode = "409", description = "account closed"),
      @ApiResponse(responseCode = "412", description = "If-Match differs from the account's version")})
  ResponseEntity<Object> deposit(@PathVariable UUID id,
      @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(implementation = ApiDocs.MoneyBody.class))) @RequestBody byte[] body,
      @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key,
      @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
    Movement movement = movement(body);
    return toAccount(id, "deposit", movement.toString(), ifMatch, key, correlationId,
        metadata -> new DepositMoney(metadata, movement.amount(), movement.reference()));
  }

  @PostMapping(path = "/accounts/{id}/withdrawals", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Withdraw money", responses = {
      @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ApiDocs.Accepted.class))),
      @ApiResponse(responseCode = "404", description = "unknown account"),
      @ApiResponse(responseCode = "409", description = "account closed, or insufficient funds"),
      @ApiResponse(responseCode = "412", description = "If-Match differs from the account's version")})
  ResponseEntity<Object> withdraw(@PathVariable UUID id,
      @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(implementation = ApiDocs.MoneyBody.class))) @RequestBody byte[] body,
      @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key,
      @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
    Movement movement = movement(body);
    return toAccount(id, "withdraw", movement.toString(), ifMatch, key, correlationId,
        metadata -> new WithdrawMoney(metadata, movement.amount(), movement.reference()));
  }

  /** Takes no body; an empty JSON object is accepted too. */
  @Operation(summary = "Close an account", responses = {
      @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ApiDocs.Accepted.class))),
      @ApiResponse(responseCode = "409", description = "balance not zero, or already closed")})
  @PostMapping(path = "/accounts/{id}/close")
  ResponseEntity<Object> close(@PathVariable UUID id, @RequestBody(required = false) byte[] body,
      @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key,
      @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
    // CommandRequestShape has checked that a body, if any, is JSON.
    if (body != null && body.length > 0) {
      JsonBody.parse(body, Set.of()).validate();
    }
    return toAccount(id, "close", "", ifMatch, key, correlationId, CloseAccount::new);
  }

  /** Sends a command to an existing account; {@code details} and the operation identify the request for its hash. */
  private ResponseEntity<Object> toAccount(UUID id, String operation, String details, String ifMatch, String key,
      String correlationId, Function<CommandMetadata, SpecificRecord> command) {
    CommandMetadata metadata = commands.metadata(id, expectedVersion(ifMatch), idempotencyKey(key),
        correlation(correlationId), operation + "\n" + id + "\n" + details);
    return answer(gateway.send(id.toString(), command.apply(metadata)), HttpStatus.OK);
  }

  private static Movement movement(byte[] body) {
    JsonBody json = JsonBody.parse(body, Set.of("amount", "reference"));
    long amount = json.positiveAmount("amount", Account.MAX_AMOUNT);
    String reference = json.optionalString("reference", Account.REFERENCE);
    json.validate();
    return new Movement(amount, reference);
  }

  private ResponseEntity<Object> answer(CommandResult result, HttpStatus success) {
    return switch (result.getOutcome()) {
      case ACCEPTED -> {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", result.getAggregateId());
        body.put("version", result.getVersion());
        body.put("consistencyToken", tokens.sign(result.getConsistencyToken()));
        ResponseEntity.BodyBuilder response = ResponseEntity.status(success).eTag(String.valueOf(result.getVersion()));
        if (success == HttpStatus.CREATED) {
          response.location(URI.create("/accounts/" + result.getAggregateId()));
        }
        yield response.body(body);
      }
      case REJECTED -> Problem.of(KIND_OF_REJECTION.getOrDefault(result.getRejectionCode(), ProblemKind.CONFLICT),
          result.getRejectionCode(), result.getRejectionDetail()).toResponse();
      case CONFLICT -> Problem.of(ProblemKind.PRECONDITION_FAILED, result.getRejectionCode(), result.getRejectionDetail())
          .toResponse();
      case KEY_REUSED -> Problem.of(ProblemKind.UNPROCESSABLE, "idempotency-key-reused",
          "this Idempotency-Key was already used with a different request").toResponse();
      case EXPIRED -> Problems.notExecuted("the command reached the ledger too close to its deadline and was not executed",
          Duration.ofSeconds(1)).toResponse();
    };
  }

  private static Long expectedVersion(String ifMatch) {
    if (ifMatch == null) {
      return null;
    }
    Matcher matcher = ETAG.matcher(ifMatch.strip());
    if (!matcher.matches()) {
      throw new InvalidRequest("If-Match", "must be a version in double quotes, as sent in ETag");
    }
    return Long.parseLong(matcher.group(1));
  }

  private static String idempotencyKey(String key) {
    if (key == null) {
      return null;
    }
    if (key.length() > MAX_KEY_LENGTH || !PRINTABLE.matcher(key).matches()) {
      throw new InvalidRequest(IDEMPOTENCY_KEY, "must be 1 to " + MAX_KEY_LENGTH + " printable ASCII characters");
    }
    return key;
  }

  private static String correlation(String correlationId) {
    if (correlationId != null && (correlationId.length() > 100 || !PRINTABLE.matcher(correlationId).matches())) {
      throw new InvalidRequest(CORRELATION_ID, "must be 1 to 100 printable ASCII characters");
    }
    return correlationId;
  }

  private record Movement(long amount, String reference) {
    @Override
    public String toString() {
      return amount + "\n" + reference;
    }
  }
}
