package dev.tally.runtime.web;

import dev.tally.runtime.core.TextRule;
import dev.tally.runtime.web.Problem.FieldError;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Strict reading of a JSON request body: it must be one object, with only the allowed fields,
 * each of the right JSON type. Every problem is collected, so a client learns all of them at once.
 */
public final class JsonBody {

  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final JsonNode root;
  private final List<FieldError> errors = new ArrayList<>();

  private JsonBody(JsonNode root) {
    this.root = root;
  }

  /**
   * Parses the body and refuses fields outside {@code allowed}; an empty body reads as {@code {}}.
   * The body must be UTF-8 (RFC 8259), strictly: a byte sequence that is not, or another encoding
   * that a lenient parser would detect and accept, is refused. A UTF-8 byte order mark is ignored,
   * as RFC 8259 allows.
   */
  public static JsonBody parse(byte[] body, Set<String> allowed) {
    JsonNode root;
    try {
      root = body == null || body.length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(utf8(body));
    } catch (JacksonException e) {
      throw Problem.invalidRequest("the body is not well-formed JSON: " + e.getOriginalMessage(), List.of());
    }
    if (root == null || !root.isObject()) {
      throw Problem.invalidRequest("the body must be a JSON object", List.of());
    }
    JsonBody parsed = new JsonBody(root);
    for (String name : root.propertyNames()) {
      if (!allowed.contains(name)) {
        parsed.errors.add(new FieldError(name, "unknown field"));
      }
    }
    return parsed;
  }

  private static String utf8(byte[] body) {
    int start = body.length >= 3 && body[0] == (byte) 0xEF && body[1] == (byte) 0xBB && body[2] == (byte) 0xBF ? 3 : 0;
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body, start, body.length - start))
          .toString();
    } catch (CharacterCodingException e) {
      throw Problem.invalidRequest("the body is not UTF-8: JSON must be sent in UTF-8", List.of());
    }
  }

  /** A required string that {@code rule} accepts: the rule the decider holds, checked early for a precise answer. */
  public String string(String name, TextRule rule) {
    JsonNode node = root.get(name);
    if (node == null || node.isNull()) {
      errors.add(new FieldError(name, "is required"));
      return null;
    }
    if (!node.isString()) {
      errors.add(new FieldError(name, "must be a string"));
      return null;
    }
    String value = node.stringValue();
    rule.check(value).ifPresent(violation -> errors.add(new FieldError(name, violation.message())));
    return value;
  }

  /** An optional string, empty when absent. */
  public String optionalString(String name, TextRule rule) {
    JsonNode node = root.get(name);
    return node == null || node.isNull() ? "" : string(name, rule);
  }

  /** A required whole number in {@code [1, max]}. */
  public long positiveAmount(String name, long max) {
    JsonNode node = root.get(name);
    if (node == null || node.isNull()) {
      errors.add(new FieldError(name, "is required"));
      return 0;
    }
    if (!node.isIntegralNumber()) {
      errors.add(new FieldError(name, "must be a whole number of minor units"));
      return 0;
    }
    if (!node.canConvertToLong() || node.longValue() > max) {
      errors.add(new FieldError(name, "must be at most " + max));
      return 0;
    }
    if (node.longValue() <= 0) {
      errors.add(new FieldError(name, "must be positive"));
      return 0;
    }
    return node.longValue();
  }

  public void addError(String field, String message) {
    errors.add(new FieldError(field, message));
  }

  /** Throws when anything was wrong. */
  public void validate() {
    if (!errors.isEmpty()) {
      throw Problem.invalidRequest("the request is invalid", errors);
    }
  }
}
