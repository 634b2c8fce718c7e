package dev.tally.runtime.writer.http;

import dev.tally.runtime.web.Problem;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every command request carries besides its body, checked at the edge: the version it
 * expects ({@code If-Match}), its idempotency key and its correlation id, and the canonical text
 * that makes it this request and no other (its hash tells a retry from a reuse of the key).
 *
 * @param expectedVersion from If-Match; null when absent
 * @param idempotencyKey from Idempotency-Key; null when absent
 * @param correlationId from X-Correlation-Id; null when absent
 * @param canonical operation, target and fields of the request
 */
public record CommandRequest(Long expectedVersion, String idempotencyKey, String correlationId, String canonical) {

  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  public static final String CORRELATION_ID = "X-Correlation-Id";
  public static final String IF_MATCH = "If-Match";
  private static final Pattern ETAG = Pattern.compile("\"(0|[1-9][0-9]{0,17})\"");
  private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?");
  private static final int MAX_KEY_LENGTH = 255;
  private static final int MAX_CORRELATION_LENGTH = 100;

  /**
   * A request from its raw headers, each possibly null; a malformed one is refused with a 400
   * problem naming the header.
   */
  public static CommandRequest of(String ifMatch, String idempotencyKey, String correlationId, String canonical) {
    return new CommandRequest(expectedVersion(ifMatch), checkedKey(idempotencyKey), checkedCorrelation(correlationId),
        canonical);
  }

  private static Long expectedVersion(String ifMatch) {
    if (ifMatch == null) {
      return null;
    }
    Matcher matcher = ETAG.matcher(ifMatch.strip());
    if (!matcher.matches()) {
      throw Problem.invalidField(IF_MATCH, "must be a version in double quotes, as sent in ETag");
    }
    return Long.parseLong(matcher.group(1));
  }

  private static String checkedKey(String key) {
    if (key != null && (key.length() > MAX_KEY_LENGTH || !PRINTABLE.matcher(key).matches())) {
      throw Problem.invalidField(IDEMPOTENCY_KEY, "must be 1 to " + MAX_KEY_LENGTH + " printable ASCII characters");
    }
    return key;
  }

  private static String checkedCorrelation(String correlationId) {
    if (correlationId != null
        && (correlationId.length() > MAX_CORRELATION_LENGTH || !PRINTABLE.matcher(correlationId).matches())) {
      throw Problem.invalidField(CORRELATION_ID, "must be 1 to " + MAX_CORRELATION_LENGTH + " printable ASCII characters");
    }
    return correlationId;
  }
}
