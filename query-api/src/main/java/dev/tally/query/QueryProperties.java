package dev.tally.query;

import dev.tally.runtime.projection.ReadModelSchemas;
import java.time.Duration;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The query API's settings ({@code tally.query.*}).
 *
 * @param consistencyWait how long a request with a consistency token waits for the read model
 *     before answering 503
 * @param consistencyFutureSkew how far in the future a token's time may be (clock skew) before the
 *     token is refused as invalid
 * @param consistencyRecheckInterval while requests wait, how often they are re-checked even without
 *     a notification (a safety net; notifications are what normally wakes them)
 * @param maxWaitingRequests how many requests may wait for a consistency token at once; beyond
 *     that, a request that would have to wait is refused with 503 at once (each waiting request
 *     holds a server thread, of which there are 200)
 * @param retryAfter the {@code Retry-After} of a 503 when the read model is behind
 * @param notifyChannel the PostgreSQL channel the projector notifies after each batch
 * @param defaultPageSize items per page when {@code limit} is not given
 * @param maxPageSize the largest {@code limit} accepted
 * @param schema the schema read from: {@code tally_read} (the views of the live generation, the
 *     default), or a point-in-time copy made by {@code tally as-of} ({@code tally_asof_...})
 */
@ConfigurationProperties("tally.query")
public record QueryProperties(
    @DefaultValue("5s") Duration consistencyWait,
    @DefaultValue("1m") Duration consistencyFutureSkew,
    @DefaultValue("1s") Duration consistencyRecheckInterval,
    @DefaultValue("100") int maxWaitingRequests,
    @DefaultValue("1s") Duration retryAfter,
    @DefaultValue(ReadModelSchemas.NOTIFY_CHANNEL) String notifyChannel,
    @DefaultValue("50") int defaultPageSize,
    @DefaultValue("200") int maxPageSize,
    @DefaultValue(ReadModelSchemas.SERVING) String schema) {

  private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  public QueryProperties {
    if (notifyChannel == null || !CHANNEL.matcher(notifyChannel).matches()) {
      throw new IllegalArgumentException("tally.query.notify-channel must be a lower-case SQL identifier, not " + notifyChannel);
    }
    if (schema == null || !CHANNEL.matcher(schema).matches()) {
      throw new IllegalArgumentException("tally.query.schema must be a lower-case SQL identifier, not " + schema);
    }
    if (maxWaitingRequests < 0) {
      throw new IllegalArgumentException("tally.query.max-waiting-requests must be 0 or more");
    }
    if (defaultPageSize < 1 || maxPageSize < defaultPageSize) {
      throw new IllegalArgumentException("need 1 <= tally.query.default-page-size <= tally.query.max-page-size");
    }
  }
}
