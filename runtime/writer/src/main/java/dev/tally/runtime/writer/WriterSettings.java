package dev.tally.runtime.writer;

import java.time.Duration;

/**
 * Settings of one single-writer topology.
 *
 * @param commandsTopic where commands arrive, keyed by aggregate id
 * @param eventsTopic where accepted events are appended (same partition count as the commands topic)
 * @param resultsTopic where the answer to every command goes
 * @param commandTtl how long after it was issued a command's sender waits for its answer: its deadline
 * @param decisionMargin a command is decided only while at least this much of its time to live is
 *     left (by the writer's clock), so that its commit and answer reach the sender before it gives
 *     up; later it is answered {@code EXPIRED}, unexecuted (ADR 8)
 * @param idempotencyWindow how long an idempotency key is remembered, in writer time (ADR 8)
 */
public record WriterSettings(
    String aggregateType,
    String commandsTopic,
    String eventsTopic,
    String resultsTopic,
    Duration commandTtl,
    Duration decisionMargin,
    Duration idempotencyWindow) {

  public String stateStore() {
    return aggregateType + "-state";
  }

  public String idempotencyStore() {
    return aggregateType + "-idempotency";
  }

  /** The changelog topic Kafka Streams keeps for a store of the writer with this application id. */
  public static String changelog(String applicationId, String store) {
    return applicationId + "-" + store + "-changelog";
  }
}
