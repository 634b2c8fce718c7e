package dev.tally.projector;

import dev.tally.runtime.projection.ReadModelSchemas;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The projector's settings ({@code tally.projector.*}).
 *
 * @param applicationId Kafka Streams application id of the read model's first generation: its
 *     consumer group and the prefix of its internal names; a rebuild's generation n uses
 *     {@code <applicationId>-g<n>}, and so re-reads the topic from the beginning
 * @param stateDir Kafka Streams state directory; default {@code <java.io.tmpdir>/tally-projector}
 * @param commitInterval how often the live generation's application commits, and so how often its
 *     batches are written: it bounds how long a consistency token waits
 * @param maxBatchEvents the live generation's batch is written as soon as it holds this many events
 * @param buildCommitInterval the same for a generation being built: it catches up with the log in
 *     few, large batches, since nobody reads it yet
 * @param buildMaxBatchEvents the largest batch of a generation being built
 * @param streamThreads Kafka Streams threads in this instance
 * @param processingGuarantee {@code at_least_once} (default; the read model is idempotent) or {@code exactly_once_v2}
 * @param readerRole the role the migrations grant read access to (the query API's login)
 * @param notifyChannel the PostgreSQL channel notified after every committed batch
 * @param lagInterval how often lag is measured
 * @param closeTimeout how long a clean shutdown may take
 * @param generationPoll how often the generations table is re-read (a rebuild starts, a switch happens)
 * @param streams any other Kafka Streams settings, passed as they are
 */
@ConfigurationProperties("tally.projector")
public record ProjectorProperties(
    @DefaultValue("tally-projector") String applicationId,
    String stateDir,
    @DefaultValue("20ms") Duration commitInterval,
    @DefaultValue("1000") int maxBatchEvents,
    @DefaultValue("1s") Duration buildCommitInterval,
    @DefaultValue("5000") int buildMaxBatchEvents,
    @DefaultValue("1") int streamThreads,
    @DefaultValue("at_least_once") String processingGuarantee,
    @DefaultValue("tally_reader") String readerRole,
    @DefaultValue(ReadModelSchemas.NOTIFY_CHANNEL) String notifyChannel,
    @DefaultValue("5s") Duration lagInterval,
    @DefaultValue("30s") Duration closeTimeout,
    @DefaultValue("250ms") Duration generationPoll,
    Map<String, String> streams) {

  public ProjectorProperties {
    ReadModelSchemas.requireIdentifier(readerRole, "tally.projector.reader-role");
    ReadModelSchemas.requireIdentifier(notifyChannel, "tally.projector.notify-channel");
    streams = streams == null ? Map.of() : Map.copyOf(streams);
  }

  /** The state directory to use: the configured one, else one under the temporary directory. */
  public Path stateDirectory() {
    return stateDir == null || stateDir.isBlank()
        ? Path.of(System.getProperty("java.io.tmpdir"), "tally-projector")
        : Path.of(stateDir);
  }
}
