package dev.tally.runtime.writer;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * A circuit breaker (Resilience4j) in front of the single writers: once they are known to be
 * unreachable, commands are refused at once instead of each waiting the whole reply timeout.
 *
 * <p>What opens it: {@code failures} commands in a row that got no answer in time. Any answer at
 * all (accepted, refused, expired) closes the count, so one slow command, or one slow partition
 * among healthy ones, never opens it for everyone; only an outage that every command meets does.
 * The command path itself is the signal: it covers a broker that is down or frozen, and a writer
 * that is not deciding, which a broker health check cannot see.
 *
 * <p>Open, it refuses every command without sending it, for {@code openFor}; then it lets
 * {@code probes} real commands through (half-open): one answer closes it, all of them timing out
 * opens it again. Its state is a health component (DOWN while open) and Resilience4j's metrics.
 */
public class CommandCircuit extends AbstractHealthIndicator {

  private final CircuitBreaker breaker;
  private final Duration openFor;

  /**
   * @param failures consecutive unanswered commands that open the circuit; at least 2, so that a single slow
   *     command can never open it
   * @param openFor how long it refuses everything before letting probes through
   * @param probes how many commands probe a half-open circuit
   */
  public CommandCircuit(String name, int failures, Duration openFor, int probes, MeterRegistry meters) {
    super("command circuit health check failed");
    if (failures < 2 || probes < 1 || openFor.isNegative() || openFor.isZero()) {
      throw new IllegalArgumentException("a circuit needs failures >= 2, probes >= 1 and a positive open time");
    }
    CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
        // "failures in a row": the last `failures` calls, all failed.
        .slidingWindowType(SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(failures)
        .minimumNumberOfCalls(failures)
        .failureRateThreshold(100)
        .waitDurationInOpenState(openFor)
        .automaticTransitionFromOpenToHalfOpenEnabled(true)
        .permittedNumberOfCallsInHalfOpenState(probes)
        .writableStackTraceEnabled(false)
        .build());
    this.breaker = registry.circuitBreaker(name);
    this.openFor = openFor;
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
  }

  /** Takes a permit for one command; false while open (or half-open with every probe out): do not send it. */
  boolean tryAcquire() {
    return breaker.tryAcquirePermission();
  }

  /** The command was answered, whatever the answer: the writer is reachable. */
  void answered(long nanos) {
    breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
  }

  /** The command got no answer in time, or could not be handed to Kafka. */
  void unanswered(long nanos, Throwable why) {
    breaker.onError(nanos, TimeUnit.NANOSECONDS, why);
  }

  /** The permit was not used (the command was shed before sending): it counts neither way. */
  void release() {
    breaker.releasePermission();
  }

  /** How long a refused client should wait before retrying: the time an open circuit stays open. */
  public Duration retryAfter() {
    return openFor;
  }

  public CircuitBreaker.State state() {
    return breaker.getState();
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    CircuitBreaker.State state = breaker.getState();
    CircuitBreaker.Metrics metrics = breaker.getMetrics();
    builder.withDetail("state", state.name())
        .withDetail("failedCalls", metrics.getNumberOfFailedCalls())
        .withDetail("bufferedCalls", metrics.getNumberOfBufferedCalls())
        .withDetail("notPermittedCalls", metrics.getNumberOfNotPermittedCalls());
    switch (state) {
      case OPEN, FORCED_OPEN -> builder.down().withDetail("retryAfterSeconds", openFor.toSeconds());
      case CLOSED, HALF_OPEN, DISABLED, METRICS_ONLY -> builder.up();
    }
  }
}
