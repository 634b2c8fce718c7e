package dev.tally.command;

import dev.tally.schemas.Writers;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the command API and of the single writer it runs ({@code tally.command.*}).
 *
 * @param applicationIds Kafka Streams application id of the writer of each aggregate type, by type:
 *     every instance shares it; it ends in {@code -writer}, the mark by which tools know never to
 *     rewind its group. Default: the one derived from the aggregate type ({@link Writers#applicationId})
 * @param replyTimeout how long a request waits for the writer's answer: the command's deadline
 * @param decisionMargin the writer decides a command only while at least this much of its reply
 *     timeout is left (time to commit and answer); later it answers that it did not execute it.
 *     Default: a fifth of the reply timeout
 * @param idempotencyWindow how long an Idempotency-Key is remembered
 * @param maxInFlight how many commands may wait for an answer at once (bulkhead)
 * @param commitInterval how often the writer commits its transaction (bounds command latency)
 * @param stateDir where the writer keeps its local state stores and its member id: one directory
 *     per instance, kept across restarts ({@code ./tally up} puts it under {@code TALLY_HOME})
 * @param streams any other Kafka Streams settings of the writer, passed as they are
 */
@ConfigurationProperties("tally.command")
record CommandApiProperties(
    Map<String, String> applicationIds,
    @DefaultValue("5s") Duration replyTimeout,
    Duration decisionMargin,
    @DefaultValue("24h") Duration idempotencyWindow,
    @DefaultValue("1000") int maxInFlight,
    @DefaultValue("20ms") Duration commitInterval,
    String stateDir,
    Map<String, String> streams) {

  CommandApiProperties {
    applicationIds = applicationIds == null ? Map.of() : Map.copyOf(applicationIds);
    applicationIds.values().forEach(Writers::requireWriter);
    decisionMargin = decisionMargin == null ? replyTimeout.dividedBy(5) : decisionMargin;
    if (commitInterval.compareTo(decisionMargin) >= 0 || decisionMargin.compareTo(replyTimeout) >= 0) {
      throw new IllegalArgumentException("tally.command needs commit-interval (" + commitInterval + ") < decision-margin ("
          + decisionMargin + ") < reply-timeout (" + replyTimeout + "): a decision must have time to commit and be"
          + " answered before its sender gives up");
    }
    streams = streams == null ? Map.of() : Map.copyOf(streams);
  }

  /** The application id of a writer: the configured one, else the one derived from its aggregate type. */
  String applicationId(String aggregateType) {
    return applicationIds.getOrDefault(aggregateType, Writers.applicationId(aggregateType));
  }
}
