package dev.tally.query.consistency;

import dev.tally.query.QueryProperties;
import dev.tally.query.problem.QueryProblems;
import dev.tally.runtime.web.Problem;
import dev.tally.schemas.ConsistencyToken;
import dev.tally.schemas.ConsistencyTokenKeys;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * {@code Consistency-Token} on any query: the answer must reflect at least the write that returned
 * the token. Before the handler reads anything, waits (bounded) until the read model holds the
 * token's aggregate at the token's version or later; if it does not in time, the request is
 * refused with 503 and {@code Retry-After} rather than answered with older data.
 *
 * <p>Only tokens the command API signed are believed: anything else is refused with 400 before
 * any wait, so that nobody can hold a server thread with a token for a version that will never
 * come. Too many requests waiting at once are refused with 503 too.
 */
public final class ConsistencyInterceptor implements HandlerInterceptor {

  public static final String HEADER = "Consistency-Token";
  private static final String TYPE = "invalid-consistency-token";

  private final ConsistencyWatcher watcher;
  private final ConsistencyTokenKeys keys;
  private final QueryProperties settings;
  private final Clock clock;

  public ConsistencyInterceptor(ConsistencyWatcher watcher, ConsistencyTokenKeys keys, QueryProperties settings,
      Clock clock) {
    this.watcher = watcher;
    this.keys = keys;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
      throws InterruptedException {
    List<String> texts = Collections.list(request.getHeaders(HEADER));
    if (texts.isEmpty()) {
      return true;
    }
    if (texts.size() > 1) {
      throw Problem.invalidParameter(TYPE, HEADER, "Send one Consistency-Token, the one of the write to read.");
    }
    ConsistencyToken token;
    try {
      token = keys.verify(texts.getFirst().strip());
    } catch (IllegalArgumentException e) {
      throw Problem.invalidParameter(TYPE, HEADER, "The Consistency-Token is refused: " + e.getMessage() + ".");
    }
    if (token.occurredAt().isAfter(clock.instant().plus(settings.consistencyFutureSkew()))) {
      throw Problem.invalidParameter(TYPE, HEADER,
          "The Consistency-Token is from the future (" + token.occurredAt() + "); it was not issued by this service.");
    }
    return switch (watcher.await(token.aggregateType(), token.aggregateId(), token.version(), settings.consistencyWait())) {
      case COVERED, REACHED -> true;
      case TIMED_OUT -> throw QueryProblems.readModelBehind("The read model has not yet reached version "
          + token.version() + " of " + token.aggregateType() + " " + token.aggregateId() + " after waiting " + settings.consistencyWait().toMillis()
          + " ms; retry later with the same token.", settings.retryAfter());
      case REFUSED -> throw QueryProblems.tooManyWaits("As many requests as allowed (" + settings.maxWaitingRequests()
          + ") are waiting for the read model to catch up; retry later with the same token.", settings.retryAfter());
    };
  }
}
