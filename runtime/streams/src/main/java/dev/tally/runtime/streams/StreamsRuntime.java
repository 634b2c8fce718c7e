package dev.tally.runtime.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one Kafka Streams application for the life of the Spring context, and reports its state
 * as health: UP once it has reached RUNNING (and through later rebalances), DOWN otherwise, with
 * the reason when there is one.
 *
 * <p>Before every start it runs the application's {@link StartCheck}s and refuses to start while
 * one objects, and it wipes local state it cannot prove to belong to this cluster and these
 * changelogs ({@link LocalStateOrigin}). When processing fails (a record this build cannot read,
 * a bug) it stops the whole application, says why in health, and starts it again after a growing
 * pause: never a silent skip, never a hot loop.
 *
 * <p>Each state directory is one static group member ({@link MemberIdentity}, unless
 * {@code group.instance.id} is set): an instance restarted after a crash takes its partitions back
 * at once. On stop it leaves the group, so its partitions move to the other instances without
 * waiting for a session timeout.
 */
public class StreamsRuntime extends AbstractHealthIndicator implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(StreamsRuntime.class);
  private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
  private static final Duration LONGEST_PAUSE = Duration.ofSeconds(15);

  private final Topology topology;
  private final Properties properties;
  private final Duration closeTimeout;
  private final List<StartCheck> checks;
  private final Supplier<Map<String, Object>> details;
  private final LocalStateOrigin origin;
  private final Map<String, Object> adminConfig;
  private final CountDownLatch running = new CountDownLatch(1);
  private ScheduledExecutorService supervisor;
  private Duration pause = FIRST_PAUSE;
  private volatile KafkaStreams streams;
  /** The current application has reached RUNNING: a rebalance after that is routine. */
  private volatile boolean hasRun;
  /** Why the application is not processing, while that is so. */
  private volatile String reason = "starting";
  private volatile Failure lastFailure;
  private volatile int restarts;

  public StreamsRuntime(Topology topology, Properties properties, Duration closeTimeout) {
    this(topology, properties, closeTimeout, List.of(), Map::of);
  }

  /**
   * @param checks what must hold before every start
   * @param details more health details (say, what the application skipped)
   */
  public StreamsRuntime(Topology topology, Properties properties, Duration closeTimeout, List<StartCheck> checks,
      Supplier<Map<String, Object>> details) {
    super("Kafka Streams health check failed");
    this.topology = topology;
    this.properties = new Properties();
    this.properties.putAll(properties);
    this.closeTimeout = closeTimeout;
    this.checks = List.copyOf(checks);
    this.details = details;
    StreamsConfig config = new StreamsConfig(this.properties);
    Path stateDir = Path.of(config.getString(StreamsConfig.STATE_DIR_CONFIG));
    String applicationId = config.getString(StreamsConfig.APPLICATION_ID_CONFIG);
    this.properties.computeIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, key -> MemberIdentity.of(stateDir));
    this.origin = LocalStateOrigin.of(topology, applicationId, stateDir);
    this.adminConfig = new LinkedHashMap<>(config.getAdminConfigs(applicationId + "-runtime"));
    this.adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    this.adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
  }

  @Override
  public synchronized void start() {
    if (supervisor == null) {
      pause = FIRST_PAUSE;
      supervisor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
          .name("streams-supervisor-" + properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).daemon().factory());
      supervisor.execute(this::attempt);
    }
  }

  /** Checks, proves the local state, starts; on any refusal or failure, tries again after a pause. */
  private void attempt() {
    KafkaStreams created = null;
    try (Admin admin = Admin.create(adminConfig)) {
      for (StartCheck check : checks) {
        Optional<String> refusal = check.refusal(admin);
        if (refusal.isPresent()) {
          retryLater("refusing to start: " + refusal.get(), null);
          return;
        }
      }
      created = new KafkaStreams(topology, properties);
      Optional<String> wipe = origin.reasonToWipe(admin);
      if (wipe.isPresent()) {
        log.warn("wiping the local state of {} before it starts, because {}",
            properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG), wipe.get());
        origin.forget();
        created.cleanUp();
      }
      KafkaStreams started = created;
      started.setStateListener((now, before) -> changed(started, now));
      started.setUncaughtExceptionHandler(this::failed);
      hasRun = false;
      streams = started;
      reason = "starting: joining the group and restoring state";
      started.start();
    } catch (Exception e) {
      if (created != null) {
        streams = null;
        created.close(Duration.ZERO);
      }
      retryLater("cannot start: " + describe(e), e);
    }
  }

  private void changed(KafkaStreams source, KafkaStreams.State now) {
    if (source != streams) {
      return;
    }
    if (now == KafkaStreams.State.RUNNING) {
      hasRun = true;
      reason = null;
      running.countDown();
      supervise(() -> {
        pause = FIRST_PAUSE;
        recordOrigin();
      });
    } else if (now == KafkaStreams.State.ERROR) {
      supervise(() -> restart(source));
    }
  }

  /** A stream thread died: stop the whole application (it is restarted after a pause), and say why. */
  private StreamThreadExceptionResponse failed(Throwable e) {
    String why = describe(e);
    lastFailure = new Failure(Instant.now(), why);
    reason = "stopped after a failure, restarting: " + why;
    log.error("processing failed; stopping the application and starting it again: {}", why, e);
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  private void restart(KafkaStreams failed) {
    if (failed != streams) {
      return;
    }
    streams = null;
    restarts++;
    close(failed);
    schedule(this::attempt);
  }

  private void recordOrigin() {
    try (Admin admin = Admin.create(adminConfig)) {
      origin.record(admin);
    } catch (Exception e) {
      log.warn("cannot record where the local state comes from (it will be wiped at the next start): {}", describe(e));
    }
  }

  private void retryLater(String why, Exception e) {
    reason = why;
    if (e == null) {
      log.warn("{} (trying again in {} s)", why, pause.toSeconds());
    } else {
      log.warn("{} (trying again in {} s)", why, pause.toSeconds(), e);
    }
    schedule(this::attempt);
  }

  private void schedule(Runnable task) {
    Duration wait = pause;
    pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
    try {
      supervisor.schedule(task, wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      log.debug("not trying again: stopping");
    }
  }

  private void supervise(Runnable task) {
    ScheduledExecutorService current = supervisor;
    if (current != null) {
      try {
        current.execute(task);
      } catch (RejectedExecutionException stopping) {
        log.debug("not supervising: stopping");
      }
    }
  }

  @Override
  public void stop() {
    ScheduledExecutorService stopping;
    synchronized (this) {
      stopping = supervisor;
      supervisor = null;
    }
    if (stopping == null) {
      return;
    }
    stopping.shutdownNow();
    try {
      stopping.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    KafkaStreams current = streams;
    streams = null;
    if (current != null) {
      close(current);
    }
    reason = "stopped";
  }

  private void close(KafkaStreams application) {
    application.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(closeTimeout));
  }

  @Override
  public synchronized boolean isRunning() {
    return supervisor != null;
  }

  /** Waits until the application has first reached RUNNING (its partitions assigned); false after {@code timeout}. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The running application, for tests and metrics; null while it is not started. */
  public KafkaStreams streams() {
    return streams;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    KafkaStreams current = streams;
    KafkaStreams.State state = current == null ? KafkaStreams.State.NOT_RUNNING : current.state();
    builder.withDetail("state", state.name());
    // Starting up counts as down until the first assignment is restored; a later rebalance is routine.
    boolean up = state == KafkaStreams.State.RUNNING || (state == KafkaStreams.State.REBALANCING && hasRun);
    String why = reason;
    if (!up && why != null) {
      builder.withDetail("reason", why);
    }
    if (restarts > 0) {
      builder.withDetail("restarts", restarts);
    }
    Failure failure = lastFailure;
    if (failure != null) {
      builder.withDetail("lastFailure", Map.of("at", failure.at().toString(), "reason", failure.reason()));
    }
    builder.withDetails(details.get());
    if (up) {
      builder.up();
    } else {
      builder.down();
    }
  }

  /** The message of the first cause that is not Kafka Streams' own wrapping, with the task it names. */
  static String describe(Throwable e) {
    List<String> tasks = new ArrayList<>();
    Throwable cause = e;
    while ((cause instanceof StreamsException || cause.getMessage() == null) && cause.getCause() != null) {
      if (cause instanceof StreamsException streamsException) {
        streamsException.taskId().ifPresent(task -> tasks.add("task " + task));
      }
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage();
    return tasks.isEmpty() ? message : tasks.getFirst() + ": " + message;
  }

  private record Failure(Instant at, String reason) {
  }
}
