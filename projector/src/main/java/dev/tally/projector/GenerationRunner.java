package dev.tally.projector;

import dev.tally.runtime.streams.StreamsRuntime;
import dev.tally.runtime.projection.ProjectionHealth;
import dev.tally.runtime.projection.Reconciler;
import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one Kafka Streams application per generation of the read model that needs one: the live
 * generation, and the one a rebuild is filling. It follows {@code tally_control.generations}: on
 * start it bootstraps the first generation if there is none, then re-reads the table every
 * {@code tally.projector.generation-poll} and starts or stops applications as generations are
 * created, switched, failed, retired or moved to another application. Several projector instances
 * do the same, and Kafka shares each application's partitions among them.
 *
 * <p>A generation being built runs tuned for catching up (large batches, rare commits); once it is
 * switched to, it is handed over to an application tuned for latency: the new one joins the same
 * group before the old one leaves it, so the generation never stops being projected.
 *
 * <p>Before it starts a generation's application, and whenever a task reports that the read model
 * went back behind what the application has passed (ADR 0021), it reconciles: if the application's
 * consumer group is ahead of the generation's checkpoints, the generation moves to a new
 * application whose group starts at the checkpoints ({@link Reconciler}); the old group is deleted
 * once empty. Other instances see the new application id in the table and follow.
 *
 * <p>Health is the live generation's application's health, DOWN while one of its partitions is
 * stalled at a record this reader cannot read yet.
 */
class GenerationRunner extends AbstractHealthIndicator implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(GenerationRunner.class);
  private static final Duration HANDOVER = Duration.ofSeconds(30);
  /** How long an abandoned group may keep members (instances yet to follow the table) before it is left to operators. */
  private static final Duration ABANDONED_GROUP_WAIT = Duration.ofMinutes(10);

  private final Generations generations;
  private final String applicationId;
  private final Function<Generation, StreamsRuntime> runtimes;
  private final Reconciler reconciler;
  private final ProjectionHealth health;
  private final Duration poll;
  /** Read by health checks without the lock: a hand-over holds it while it waits. */
  private final Map<Integer, Running> running = new ConcurrentHashMap<>();
  private volatile Generation live;
  private ScheduledExecutorService follower;
  private ExecutorService cleaner;

  GenerationRunner(Generations generations, String applicationId, Function<Generation, StreamsRuntime> runtimes,
      Reconciler reconciler, ProjectionHealth health, Duration poll) {
    super("projection health check failed");
    this.generations = generations;
    this.applicationId = applicationId;
    this.runtimes = runtimes;
    this.reconciler = reconciler;
    this.health = health;
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
    cleaner = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("abandoned-group-cleaner").daemon().factory());
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

  /**
   * Stops what runs and should not (first: a rebuild waits for that), restarts what runs under an
   * application id that is no longer the generation's, or whose read model went back, and starts
   * what should run and is not.
   */
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
      boolean rewound = health.takeRewound(generation.schema());
      if (current != null && (rewound || !current.applicationId().equals(generation.applicationId()))) {
        log.warn("generation {}: {}; restarting its application", generation.number(), rewound
            ? "its read model is behind what application " + current.applicationId() + " has passed"
            : "it is now filled by application " + generation.applicationId());
        running.remove(generation.number()).runtime().stop();
        current = null;
      }
      if (current == null || current.startedAs() != generation.state()) {
        Generation reconciled = reconcile(generation);
        log.info("projecting generation {} ({}) into schema {} as application {}", reconciled.number(),
            reconciled.state(), reconciled.schema(), reconciled.applicationId());
        generations.migrate(reconciled);
        StreamsRuntime runtime = runtimes.apply(reconciled);
        runtime.start();
        if (current != null) {
          handOver(reconciled, runtime, current.runtime());
        }
        running.put(reconciled.number(), new Running(runtime, reconciled.state(), reconciled.applicationId()));
      }
    }
  }

  /**
   * The generation, moved to a new application starting at its checkpoints if its application's
   * group has passed records its read model does not hold.
   */
  private Generation reconcile(Generation generation) {
    Map<Integer, Long> behind;
    try {
      behind = reconciler.behind(generation.applicationId(), generation.schema());
    } catch (Exception e) {
      // Each task checks where it resumes against its checkpoint too, and reports the read model
      // rewound if need be: the next follow reconciles then.
      log.warn("generation {}: cannot compare group {} with the checkpoints of {} ({}); starting it as it is",
          generation.number(), generation.applicationId(), generation.schema(), e.toString());
      return generation;
    }
    if (behind.isEmpty()) {
      return generation;
    }
    String next = Generations.nextApplicationId(generation.applicationId());
    log.warn("generation {}: group {} has passed records its read model does not hold (first missing offset by"
        + " partition: {}); moving it to application {}, which resumes at the read model's checkpoints",
        generation.number(), generation.applicationId(), behind, next);
    Generation moved = generations.reassign(generation, next, id -> reconciler.seed(id, generation.schema()));
    if (moved != null && moved.applicationId().equals(next)) {
      String abandoned = generation.applicationId();
      cleaner.execute(() -> deleteAbandoned(abandoned));
    }
    return moved == null ? generation : moved;
  }

  private void deleteAbandoned(String group) {
    try {
      if (reconciler.deleteWhenEmpty(group, ABANDONED_GROUP_WAIT)) {
        log.info("deleted abandoned consumer group {}", group);
      } else {
        log.warn("consumer group {} is abandoned but still has members after {}; delete it once they are gone",
            group, ABANDONED_GROUP_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("cannot delete abandoned consumer group {}: {}", group, e.toString());
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
    if (cleaner != null) {
      cleaner.shutdownNow();
      cleaner = null;
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
    List<ProjectionHealth.Stall> stalls = this.health.stalls(current.schema());
    builder.status(stalls.isEmpty() ? health.getStatus() : Status.DOWN).withDetails(health.getDetails())
        .withDetail("generation", current.number()).withDetail("schema", current.schema())
        .withDetail("applicationId", current.applicationId());
    if (!stalls.isEmpty()) {
      builder.withDetail("stalled", stalls.stream().map(stall -> Map.of(
          "partition", stall.partition(), "offset", stall.offset(), "reason", stall.reason(),
          "since", stall.since().toString(), "attempts", stall.attempts())).toList());
    }
  }

  /** An application projecting a generation, the state the generation was in and the id it ran under. */
  private record Running(StreamsRuntime runtime, Generation.State startedAs, String applicationId) {
  }
}
