package dev.tally.platform.writer;

import java.time.Duration;

/**
 * Settings of one single-writer topology.
 *
 * @param commandsTopic where commands arrive, keyed by aggregate id
 * @param eventsTopic where accepted events are appended (same partition count as the commands topic)
 * @param resultsTopic where the answer to every command goes
 * @param commandTtl a command that reaches the writer later than this after it was issued is
 *     dropped unexecuted (its sender has already answered 503)
 * @param idempotencyWindow how long an idempotency key is remembered
 */
public record WriterSettings(
    String aggregateType,
    String commandsTopic,
    String eventsTopic,
    String resultsTopic,
    Duration commandTtl,
    Duration idempotencyWindow) {

  public String stateStore() {
    return aggregateType + "-state";
  }

  public String idempotencyStore() {
    return aggregateType + "-idempotency";
  }
}
