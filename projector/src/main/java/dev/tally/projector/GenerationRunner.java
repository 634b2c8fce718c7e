package dev.tally.projector;

import dev.tally.platform.streams.StreamsRuntime;
import dev.tally.readmodel.Generation;
import dev.tally.readmodel.Generations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one Kafka Streams application per generation of the read model that needs one: the live
 * generation, and the one a rebuild is filling. It follows {@code tally_control.generations}: on
 * start it bootstraps the first generation if there is none, then re-reads the table every
 * {@code tally.projector.generation-poll} and starts or stops applications as generations are
 * created, switched, failed or retired. Several projector instances do the same, and Kafka shares
 * each application's partitions among them.
 *
 * <p>A generation being built runs tuned for catching up (large batches, rare commits); once it is
 * switched to, it is handed over to an application tuned for latency: the new one joins the same
 * group before the old one leaves it, so the generation never stops being projected.
 *
 * <p>Health is the live generation's application's health.
 */
class GenerationRunner extends AbstractHealthIndicator implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(GenerationRunner.class);
  private static final Duration HANDOVER = Duration.ofSeconds(30);

  private final Generations generations;
  private final String applicationId;
  private final Function<Generation, StreamsRuntime> runtimes;
  private final Duration poll;
  /** Read by health checks without the lock: a hand-over holds it while it waits. */
  private final Map<Integer, Running> running = new ConcurrentHashMap<>();
  private volatile Generation live;
  private ScheduledExecutorService follower;

  GenerationRunner(Generations generations, String applicationId, Function<Generation, StreamsRuntime> runtimes,
      Duration poll) {
    super("projection health check failed");
    this.generations = generations;
    this.applicationId = applicationId;
    this.runtimes = runtimes;
    this.poll = poll;
  }

  /** The generation readers see, or null before the first start. */
  Generation live() {
    return live;
  }

  /** The application projecting a generation in this instance, or null. */
  StreamsRuntime runtime(int generation) {
    Running current = running.get(generation);
    return current == null ? null : current.runtime();
  }

  @Override
  public synchronized void start() {
    live = generations.bootstrap(applicationId);
    follow();
    follower = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("generation-follower").daemon().factory());
    follower.scheduleWithFixedDelay(this::followQuietly, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void followQuietly() {
    try {
      follow();
    } catch (RuntimeException e) {
      log.warn("cannot follow the read model's generations: {}", e.toString());
    }
  }

  /** Stops what runs and should not (first: a rebuild waits for that), starts what should run and is not. */
  synchronized void follow() {
    List<Generation> wanted = generations.projected();
    // Health follows the live generation from now on: through a hand-over, its old application
    // (still in the map) answers for it.
    wanted.stream().filter(generation -> generation.state() == Generation.State.LIVE).findFirst()
        .ifPresent(generation -> live = generation);
    List<Integer> unwanted = running.keySet().stream()
        .filter(number -> wanted.stream().noneMatch(generation -> generation.number() == number)).toList();
    for (int number : unwanted) {
      log.info("generation {} is no longer live or being built: stopping its application", number);
      running.remove(number).runtime().stop();
    }
    for (Generation generation : wanted) {
      Running current = running.get(generation.number());
      if (current == null || current.startedAs() != generation.state()) {
        log.info("projecting generation {} ({}) into schema {} as application {}", generation.number(),
            generation.state(), generation.schema(), generation.applicationId());
        StreamsRuntime runtime = runtimes.apply(generation);
        runtime.start();
        if (current != null) {
          handOver(generation, runtime, current.runtime());
        }
        running.put(generation.number(), new Running(runtime, generation.state()));
      }
    }
  }

  /** Stops {@code old} once {@code replacement} has partitions of its own (or after a bound). */
  private void handOver(Generation generation, StreamsRuntime replacement, StreamsRuntime old) {
    try {
      if (!replacement.awaitRunning(HANDOVER)) {
        log.warn("generation {}: the new application is not running after {} s; stopping the old one anyway",
            generation.number(), HANDOVER.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    old.stop();
  }

  @Override
  public synchronized void stop() {
    if (follower != null) {
      follower.shutdownNow();
      try {
        follower.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      follower = null;
    }
    running.values().forEach(current -> current.runtime().stop());
    running.clear();
  }

  @Override
  public synchronized boolean isRunning() {
    return follower != null;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    Generation current = live;
    StreamsRuntime runtime = current == null ? null : runtime(current.number());
    if (runtime == null) {
      builder.down().withDetail("state", "NOT_RUNNING");
      return;
    }
    Health health = runtime.health();
    builder.status(health.getStatus()).withDetails(health.getDetails())
        .withDetail("generation", current.number()).withDetail("schema", current.schema())
        .withDetail("applicationId", current.applicationId());
  }

  /** An application projecting a generation, and the state the generation was in when it started. */
  private record Running(StreamsRuntime runtime, Generation.State startedAs) {
  }
}
