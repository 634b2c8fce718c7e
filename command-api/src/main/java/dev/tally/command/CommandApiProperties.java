package dev.tally.command;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the command API and of the single writer it runs ({@code tally.command.*}).
 *
 * @param applicationId Kafka Streams application id of the writer: every instance shares it
 * @param replyTimeout how long a request waits for the writer's answer; commands older than this
 *     when they reach the writer are dropped unexecuted
 * @param idempotencyWindow how long an Idempotency-Key is remembered
 * @param maxInFlight how many commands may wait for an answer at once (bulkhead)
 * @param commitInterval how often the writer commits its transaction (bounds command latency)
 * @param stateDir where the writer keeps its local state stores (application.yml: under java.io.tmpdir)
 */
@ConfigurationProperties("tally.command")
record CommandApiProperties(
    @DefaultValue("tally-account-writer") String applicationId,
    @DefaultValue("5s") Duration replyTimeout,
    @DefaultValue("24h") Duration idempotencyWindow,
    @DefaultValue("1000") int maxInFlight,
    @DefaultValue("20ms") Duration commitInterval,
    String stateDir) {
}
