package dev.tally.runtime.writer.http;

import dev.tally.runtime.core.Rejection;
import dev.tally.runtime.web.Problem;
import dev.tally.runtime.web.ProblemKind;
import dev.tally.runtime.writer.AggregateBinding;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.CommandResult;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * Where a controller's domain command becomes a command on Kafka and the writer's answer becomes
 * HTTP, the same for every aggregate type: the envelope (ids, time, idempotency key, request hash),
 * the aggregate's own wire mapping, its writer's gateway, and the answer: the id, version and
 * signed consistency token on success, a problem of the rejection's kind otherwise.
 */
public final class CommandEdge {

  private final CommandGateways gateways;
  private final CommandFactory factory;
  private final TokenSigner tokens;

  public CommandEdge(CommandGateways gateways, CommandFactory factory, TokenSigner tokens) {
    this.gateways = gateways;
    this.factory = factory;
    this.tokens = tokens;
  }

  /**
   * The id of a new aggregate: with an idempotency key, derived from it (and the aggregate type),
   * so that a retry reaches the same aggregate and so the same partition; random without one.
   */
  public static String newId(String aggregateType, CommandRequest request) {
    return (request.idempotencyKey() == null ? UUID.randomUUID()
        : UUID.nameUUIDFromBytes((aggregateType + "/" + request.idempotencyKey()).getBytes(StandardCharsets.UTF_8)))
        .toString();
  }

  /** Sends a command to an existing aggregate: 200 with its id, version and token once it is appended. */
  public <C> ResponseEntity<Object> send(AggregateBinding<C, ?, ?, ?> binding, String aggregateId, C command,
      CommandRequest request) {
    return answer(binding.aggregateType(), decide(binding, aggregateId, command, request), HttpStatus.OK, null);
  }

  /**
   * Sends a command that creates an aggregate: {@code status} (201, or 202 for a process that goes
   * on after the answer) with a {@code Location} of {@code path} plus the id.
   */
  public <C> ResponseEntity<Object> create(AggregateBinding<C, ?, ?, ?> binding, String aggregateId, C command,
      CommandRequest request, HttpStatus status, String path) {
    return answer(binding.aggregateType(), decide(binding, aggregateId, command, request), status, path);
  }

  private <C> CommandResult decide(AggregateBinding<C, ?, ?, ?> binding, String aggregateId, C command,
      CommandRequest request) {
    CommandMetadata metadata = factory.metadata(aggregateId, request.expectedVersion(), request.idempotencyKey(),
        request.correlationId(), request.canonical());
    return gateways.of(binding.aggregateType()).send(aggregateId, binding.command(command, metadata));
  }

  private ResponseEntity<Object> answer(String aggregateType, CommandResult result, HttpStatus success, String path) {
    return switch (result.getOutcome()) {
      case ACCEPTED -> {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(aggregateType + "Id", result.getAggregateId());
        body.put("version", result.getVersion());
        if (result.getConsistencyToken() != null) {
          body.put("consistencyToken", tokens.sign(aggregateType, result.getConsistencyToken()));
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.status(success).eTag(String.valueOf(result.getVersion()));
        if (path != null) {
          response.location(URI.create(path + result.getAggregateId()));
        }
        yield response.body(body);
      }
      case REJECTED -> Problem.of(kindOf(result.getRejectionKind()), result.getRejectionCode(),
          result.getRejectionDetail()).toResponse();
      case CONFLICT -> Problem.of(ProblemKind.PRECONDITION_FAILED, result.getRejectionCode(), result.getRejectionDetail())
          .toResponse();
      case KEY_REUSED -> Problem.of(ProblemKind.UNPROCESSABLE, "idempotency-key-reused",
          "this Idempotency-Key was already used with a different request").toResponse();
      case EXPIRED -> CommandProblems.notExecuted(
          "the command reached the ledger too close to its deadline and was not executed", Duration.ofSeconds(1))
          .toResponse();
    };
  }

  /**
   * The problem kind of a refusal by the rules. A refusal the writer itself made (an unsupported or
   * misrouted command), one remembered from before results carried a kind, and a kind this build
   * does not know are conflicts.
   */
  private static ProblemKind kindOf(String rejectionKind) {
    Rejection.Kind kind = Arrays.stream(Rejection.Kind.values())
        .filter(known -> known.name().equals(rejectionKind)).findFirst().orElse(Rejection.Kind.CONFLICT);
    return switch (kind) {
      case NOT_FOUND -> ProblemKind.NOT_FOUND;
      case INVALID -> ProblemKind.INVALID;
      case CONFLICT -> ProblemKind.CONFLICT;
    };
  }
}
