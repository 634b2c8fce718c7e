package dev.tally.platform.streams;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one Kafka Streams application for the life of the Spring context, and reports its state
 * as health: UP once it has first reached RUNNING (and through later rebalances), DOWN otherwise. On stop it leaves the group at once, so its partitions move to the other instances
 * without waiting for a session timeout.
 */
public class StreamsRuntime extends AbstractHealthIndicator implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(StreamsRuntime.class);

  private final Topology topology;
  private final Properties properties;
  private final Duration closeTimeout;
  private volatile KafkaStreams streams;
  private volatile boolean hasRun;
  private final CountDownLatch running = new CountDownLatch(1);

  public StreamsRuntime(Topology topology, Properties properties, Duration closeTimeout) {
    super("Kafka Streams health check failed");
    this.topology = topology;
    this.properties = properties;
    this.closeTimeout = closeTimeout;
  }

  @Override
  public synchronized void start() {
    KafkaStreams created = new KafkaStreams(topology, properties);
    created.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) {
        hasRun = true;
        running.countDown();
      }
    });
    created.setUncaughtExceptionHandler(e -> {
      log.error("stream thread failed; replacing it", e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    created.start();
    streams = created;
  }

  @Override
  public synchronized void stop() {
    if (streams != null) {
      streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
          .withTimeout(closeTimeout));
      streams = null;
    }
  }

  @Override
  public boolean isRunning() {
    return streams != null;
  }

  /** Waits until the application has first reached RUNNING (its partitions assigned); false after {@code timeout}. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The running application, for tests and metrics; null when stopped. */
  public KafkaStreams streams() {
    return streams;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    KafkaStreams current = streams;
    KafkaStreams.State state = current == null ? KafkaStreams.State.NOT_RUNNING : current.state();
    builder.withDetail("state", state.name());
    // Starting up counts as down until the first assignment is restored; a later rebalance is routine.
    if (state == KafkaStreams.State.RUNNING || (state == KafkaStreams.State.REBALANCING && hasRun)) {
      builder.up();
    } else {
      builder.down();
    }
  }
}
