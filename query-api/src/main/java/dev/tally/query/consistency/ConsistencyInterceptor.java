package dev.tally.query.consistency;

import dev.tally.query.QueryProperties;
import dev.tally.query.problem.Problem;
import dev.tally.schemas.ConsistencyToken;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * {@code Consistency-Token} on any query: the answer must reflect at least the write that returned
 * the token. Before the handler reads anything, waits (bounded) until the read model holds the
 * token's aggregate at the token's version or later; if it does not in time, the request is
 * refused with 503 and {@code Retry-After} rather than answered with older data.
 */
public final class ConsistencyInterceptor implements HandlerInterceptor {

  public static final String HEADER = "Consistency-Token";
  private static final String TYPE = "invalid-consistency-token";

  private final ConsistencyWatcher watcher;
  private final QueryProperties settings;
  private final Clock clock;

  public ConsistencyInterceptor(ConsistencyWatcher watcher, QueryProperties settings, Clock clock) {
    this.watcher = watcher;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
      throws InterruptedException {
    String text = request.getHeader(HEADER);
    if (text == null) {
      return true;
    }
    ConsistencyToken token;
    try {
      token = ConsistencyToken.decode(text.strip());
    } catch (IllegalArgumentException e) {
      throw Problem.invalidParameter(TYPE, HEADER, "The Consistency-Token header is not a token this service issued.");
    }
    if (token.occurredAt().isAfter(clock.instant().plus(settings.consistencyFutureSkew()))) {
      throw Problem.invalidParameter(TYPE, HEADER,
          "The Consistency-Token is from the future (" + token.occurredAt() + "); it was not issued by this service.");
    }
    if (!watcher.await(token.aggregateId(), token.version(), settings.consistencyWait())) {
      throw Problem.readModelBehind("The read model has not yet reached version " + token.version() + " of "
          + token.aggregateId() + " after waiting " + settings.consistencyWait().toMillis()
          + " ms; retry later with the same token.", settings.retryAfter());
    }
    return true;
  }
}
