package dev.tally.account.http;

import dev.tally.account.domain.Account;
import dev.tally.account.domain.AccountCommand;
import dev.tally.account.wire.AccountBinding;
import dev.tally.runtime.core.TextRule;
import dev.tally.runtime.web.JsonBody;
import dev.tally.runtime.writer.http.CommandEdge;
import dev.tally.runtime.writer.http.CommandRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.beans.PropertyEditorSupport;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
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

/**
 * The account commands of the HTTP contract. Each request becomes one domain command, which
 * {@link CommandEdge} sends to the account's single writer and whose answer it turns into HTTP.
 */
@RestController
class AccountCommands {

  /** The paths of these commands: the command API applies its body limit and request shape to them. */
  static final List<String> PATHS = List.of("/accounts", "/accounts/*");
  private static final Pattern CANONICAL_UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  /** Only its shape here: whether it is a known ISO 4217 code is the decider's to say. */
  private static final TextRule CURRENCY = TextRule.text(3).withoutControls().nonBlank();
  private static final AccountBinding ACCOUNTS = AccountBinding.BINDING;

  private final CommandEdge edge;

  AccountCommands(CommandEdge edge) {
    this.edge = edge;
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
      @ApiResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = AccountApiDocs.Accepted.class))),
      @ApiResponse(responseCode = "400", description = "invalid request")})
  ResponseEntity<Object> open(@io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(implementation = AccountApiDocs.OpenAccountBody.class))) @RequestBody byte[] body,
      @RequestHeader(name = CommandRequest.IDEMPOTENCY_KEY, required = false) String key,
      @RequestHeader(name = CommandRequest.CORRELATION_ID, required = false) String correlationId) {
    JsonBody json = JsonBody.parse(body, Set.of("owner", "currency"));
    String owner = json.string("owner", Account.OWNER);
    String currency = json.string("currency", CURRENCY);
    json.validate();
    CommandRequest request = CommandRequest.of(null, key, correlationId, "open\n" + owner + "\n" + currency);
    return edge.create(ACCOUNTS, CommandEdge.newId(ACCOUNTS.aggregateType(), request),
        new AccountCommand.OpenAccount(owner, currency), request, HttpStatus.CREATED, "/accounts/");
  }

  @PostMapping(path = "/accounts/{id}/deposits", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Deposit money", responses = {
      @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = AccountApiDocs.Accepted.class))),
      @ApiResponse(responseCode = "404", description = "unknown account"),
      @ApiResponse(responseCode = "409", description = "account closed"),
      @ApiResponse(responseCode = "412", description = "If-Match differs from the account's version")})
  ResponseEntity<Object> deposit(@PathVariable UUID id,
      @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(implementation = AccountApiDocs.MoneyBody.class))) @RequestBody byte[] body,
      @RequestHeader(name = CommandRequest.IF_MATCH, required = false) String ifMatch,
      @RequestHeader(name = CommandRequest.IDEMPOTENCY_KEY, required = false) String key,
      @RequestHeader(name = CommandRequest.CORRELATION_ID, required = false) String correlationId) {
    Movement movement = movement(body);
    return toAccount(id, new AccountCommand.Deposit(movement.amount(), movement.reference()),
        CommandRequest.of(ifMatch, key, correlationId, "deposit\n" + id + "\n" + movement));
  }

  @PostMapping(path = "/accounts/{id}/withdrawals", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Withdraw money", responses = {
      @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = AccountApiDocs.Accepted.class))),
      @ApiResponse(responseCode = "404", description = "unknown account"),
      @ApiResponse(responseCode = "409", description = "account closed, or insufficient funds"),
      @ApiResponse(responseCode = "412", description = "If-Match differs from the account's version")})
  ResponseEntity<Object> withdraw(@PathVariable UUID id,
      @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(implementation = AccountApiDocs.MoneyBody.class))) @RequestBody byte[] body,
      @RequestHeader(name = CommandRequest.IF_MATCH, required = false) String ifMatch,
      @RequestHeader(name = CommandRequest.IDEMPOTENCY_KEY, required = false) String key,
      @RequestHeader(name = CommandRequest.CORRELATION_ID, required = false) String correlationId) {
    Movement movement = movement(body);
    return toAccount(id, new AccountCommand.Withdraw(movement.amount(), movement.reference()),
        CommandRequest.of(ifMatch, key, correlationId, "withdraw\n" + id + "\n" + movement));
  }

  /** Takes no body; an empty JSON object is accepted too. */
  @Operation(summary = "Close an account", responses = {
      @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = AccountApiDocs.Accepted.class))),
      @ApiResponse(responseCode = "409", description = "balance not zero, or already closed")})
  @PostMapping(path = "/accounts/{id}/close")
  ResponseEntity<Object> close(@PathVariable UUID id, @RequestBody(required = false) byte[] body,
      @RequestHeader(name = CommandRequest.IF_MATCH, required = false) String ifMatch,
      @RequestHeader(name = CommandRequest.IDEMPOTENCY_KEY, required = false) String key,
      @RequestHeader(name = CommandRequest.CORRELATION_ID, required = false) String correlationId) {
    // The command API's request shape has checked that a body, if any, is JSON.
    if (body != null && body.length > 0) {
      JsonBody.parse(body, Set.of()).validate();
    }
    return toAccount(id, new AccountCommand.Close(), CommandRequest.of(ifMatch, key, correlationId, "close\n" + id + "\n"));
  }

  private ResponseEntity<Object> toAccount(UUID id, AccountCommand command, CommandRequest request) {
    return edge.send(ACCOUNTS, id.toString(), command, request);
  }

  private static Movement movement(byte[] body) {
    JsonBody json = JsonBody.parse(body, Set.of("amount", "reference"));
    long amount = json.positiveAmount("amount", Account.MAX_AMOUNT);
    String reference = json.optionalString("reference", Account.REFERENCE);
    json.validate();
    return new Movement(amount, reference);
  }

  private record Movement(long amount, String reference) {
    @Override
    public String toString() {
      return amount + "\n" + reference;
    }
  }
}
