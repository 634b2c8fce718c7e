package dev.tally.cli;

import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import dev.tally.runtime.projection.Projection;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tally rebuild}: a new generation of the read model, built beside the live one and
 * switched to without downtime for readers. It covers every registered projection: each one's
 * events topic is followed and verified.
 *
 * <ol>
 *   <li>creates generation n+1: an empty schema, and a new Kafka Streams application id, which the
 *       running projectors pick up and fill from the start of the log;
 *   <li>prints progress (events/s, ETA) until it has caught up with the live generation;
 *   <li>verifies it ({@link ModelVerification}): row counts and checksums of a snapshot against
 *       {@link LogFold}, a fold of the log computed here, up to the snapshot's own checkpoints;
 *   <li>switches readers to it in one transaction ({@link Generations#switchTo});
 *   <li>retires the old generation: waits for its application to stop, drops its schema, deletes its
 *       consumer group.
 * </ol>
 * If anything fails before the switch, the new generation is marked FAILED and dropped: readers
 * never see it. If the rebuild stops after the switch, the old generation stays RETIRING: the next
 * rebuild (or {@code --abandon}) finishes retiring it before anything else.
 */
@Command(
    name = "rebuild",
    mixinStandardHelpOptions = true,
    description = {
        "Rebuild the read model from the whole event log without downtime for readers.",
        "",
        "Builds a new generation (schema and consumer group) beside the live one, using the running "
            + "projector(s); shows progress; verifies the result against a fold of the log computed "
            + "independently; then switches the query API's views to it in one transaction and drops the "
            + "old generation. If verification fails, nothing is switched."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:rebuilt, verified and switched",
        "1:refused or failed (one line on stderr); nothing switched",
        "2:usage error",
        "3:verification failed; nothing switched"})
final class RebuildCommand implements Callable<Integer> {

  static final int VERIFICATION_FAILED = 3;
  /** How often catching up is checked (progress is printed every --progress-interval). */
  private static final Duration CHECK = Duration.ofMillis(200);

  private final Registry registry;

  @Mixin
  private KafkaOptions kafkaOptions;

  @Mixin
  private DatabaseOptions database;

  @Mixin
  private TopicOptions topicOptions;

  @Option(names = "--stall-timeout", paramLabel = "ISO-8601-DURATION",
      description = "Give up if the new generation makes no progress for this long, e.g. when no projector runs "
          + "(default: ${DEFAULT-VALUE}).")
  private String stallTimeout = "PT60S";

  @Option(names = "--switch-timeout", paramLabel = "ISO-8601-DURATION",
      description = "How long the switch may wait for the new generation to draw level with the live one "
          + "(default: ${DEFAULT-VALUE}).")
  private String switchTimeout = "PT60S";

  @Option(names = "--progress-interval", paramLabel = "ISO-8601-DURATION",
      description = "How often progress is printed (default: ${DEFAULT-VALUE}).")
  private String progressInterval = "PT1S";

  @Option(names = "--abandon",
      description = "Do not rebuild: mark a generation left BUILDING by an interrupted rebuild as failed, drop its "
          + "schema and delete its consumer group; finish retiring one left RETIRING (every rebuild does that "
          + "first too).")
  private boolean abandon;

  @Spec
  private CommandSpec spec;

  RebuildCommand(Registry registry) {
    this.registry = registry;
  }

  /** One projection's checkpoints on one partition of its topic: what a generation has applied. */
  private record Source(Projection<?> projection, TopicPartition partition) {
  }

  @Override
  public Integer call() throws InterruptedException {
    Duration stall = Formats.duration(stallTimeout, "--stall-timeout");
    Duration switchWait = Formats.duration(switchTimeout, "--switch-timeout");
    Duration interval = Formats.duration(progressInterval, "--progress-interval");
    PrintWriter out = spec.commandLine().getOut();
    EventTopics topics = topicOptions.of(registry.projectedTypes());
    DataSource db = database.connect();
    List<Projection<?>> projections = registry.projections();
    Generations generations = new Generations(db, database.readerRole(), projections);
    try (Kafka kafka = kafkaOptions.connect()) {
      List<Source> sources = new ArrayList<>();
      for (Projection<?> projection : projections) {
        kafka.partitions(topics.of(projection.sourceAggregateType())).forEach(p -> sources.add(new Source(projection, p)));
      }
      String logs = projections.stream().map(p -> topics.of(p.sourceAggregateType())).distinct()
          .collect(Collectors.joining(", "));
      if (abandon) {
        return abandon(kafka, generations, switchWait, out);
      }
      Generation live = generations.live().orElseThrow(() -> new CliException("no read model in "
          + database.url() + " yet: start the projector once (./tally up) before rebuilding"));
      finishRetirements(kafka, generations, switchWait, out);
      long started = System.nanoTime();
      Generation next = startBuilding(generations);
      out.printf("generation %d: building schema %s from the start of %s as application %s (generation %d stays live)%n",
          next.number(), next.schema(), logs, next.applicationId(), live.number());
      out.flush();
      ModelVerification.Result verified;
      try {
        long events = awaitCatchUp(kafka, generations, live, next, sources, interval, stall, out);
        out.printf("generation %d: caught up: %,d events in %.1f s%n", next.number(), events, seconds(started));
        out.flush();
        long verifying = System.nanoTime();
        verified = ModelVerification.verify(kafka, db, next.schema(), projections, topics);
        if (!verified.passed()) {
          report(spec.commandLine().getErr(), next, verified);
          discard(kafka, generations, next, "verification failed");
          return VERIFICATION_FAILED;
        }
        out.printf("generation %d: verified against the log in %.1f s: %s%n", next.number(), seconds(verifying),
            verified.rows());
        generations.switchTo(next, switchWait);
      } catch (IllegalStateException e) {
        discard(kafka, generations, next, e.getMessage());
        throw new CliException(e.getMessage(), e);
      } catch (RuntimeException | InterruptedException e) {
        discard(kafka, generations, next, TallyCli.describe(e));
        throw e;
      }
      out.printf("switched: readers now see generation %d (%s)%n", next.number(), next.schema());
      out.flush();
      retire(kafka, generations, live, switchWait, out);
      out.printf("rebuilt in %.1f s: %s%n", seconds(started), verified.rows());
      return TallyCli.OK;
    }
  }

  private static Generation startBuilding(Generations generations) {
    try {
      return generations.startBuilding();
    } catch (IllegalStateException e) {
      throw new CliException(e.getMessage() + " (tally rebuild --abandon drops an unfinished one)", e);
    }
  }

  /**
   * Waits until the new generation has applied, for every projection on every partition of its
   * topic, at least what the live one has, printing progress; returns the events it applied (summed
   * over the projections).
   */
  private static long awaitCatchUp(Kafka kafka, Generations generations, Generation live, Generation next,
      List<Source> sources, Duration interval, Duration stall, PrintWriter out) throws InterruptedException {
    List<TopicPartition> partitions = sources.stream().map(Source::partition).distinct().toList();
    Map<TopicPartition, Long> starts = kafka.offsets(partitions, OffsetSpec.earliest(), "start offsets");
    Duration check = interval.compareTo(CHECK) < 0 ? interval : CHECK;
    long lastDone = -1;
    long lastTime = System.nanoTime();
    long progressAt = lastTime;
    long printedAt = 0;
    double rate = 0;
    while (true) {
      Map<Source, Long> target = checkpoints(generations, live, sources);
      Map<Source, Long> applied = checkpoints(generations, next, sources);
      Map<TopicPartition, Long> ends = kafka.offsets(partitions, OffsetSpec.latest(), "end offsets");
      long total = 0;
      long done = 0;
      boolean caughtUp = true;
      for (Source source : sources) {
        TopicPartition partition = source.partition();
        long start = starts.get(partition);
        long position = Math.max(start, applied.getOrDefault(source, start - 1) + 1);
        total += ends.get(partition) - start;
        done += Math.min(position, ends.get(partition)) - start;
        Long liveAt = target.get(source);
        caughtUp &= liveAt == null || applied.getOrDefault(source, -1L) >= liveAt;
      }
      long now = System.nanoTime();
      if (done > lastDone) {
        progressAt = now;
      }
      if (caughtUp || printedAt == 0 || now - printedAt >= interval.toNanos()) {
        if (lastDone >= 0 && now > lastTime) {
          rate = (done - lastDone) * 1e9 / (now - lastTime);
        }
        out.println(progressLine(next, done, total, rate));
        out.flush();
        printedAt = now;
        lastDone = done;
        lastTime = now;
      }
      if (caughtUp) {
        return done;
      }
      if (now - progressAt > stall.toNanos()) {
        throw new CliException("generation " + next.number() + " made no progress for " + stall.toSeconds()
            + " s: is a projector running (tally status shows group " + next.applicationId() + ")? nothing was switched");
      }
      Thread.sleep(check);
    }
  }

  /** A generation's applied offset per projection and partition (absent: none applied). */
  private static Map<Source, Long> checkpoints(Generations generations, Generation generation, List<Source> sources) {
    Map<Source, Long> applied = new HashMap<>();
    Map<List<String>, Map<Integer, Long>> read = new HashMap<>();
    for (Source source : sources) {
      String projection = source.projection().name();
      String topic = source.partition().topic();
      Long offset = read.computeIfAbsent(List.of(projection, topic),
          k -> generations.checkpoints(generation, projection, topic)).get(source.partition().partition());
      if (offset != null) {
        applied.put(source, offset);
      }
    }
    return applied;
  }

  static String progressLine(Generation next, long done, long total, double rate) {
    String percent = total == 0 ? "100%" : String.format("%.0f%%", 100.0 * done / total);
    String eta = rate <= 0 ? "ETA unknown" : "ETA " + Formats.age((long) ((total - done) / rate * 1000));
    return String.format("generation %d: %,d of %,d events (%s), %,.0f events/s, %s", next.number(), done, total,
        percent, rate, eta);
  }

  private static void report(PrintWriter err, Generation next, ModelVerification.Result verification) {
    err.printf("tally rebuild: generation %d does not match the log; nothing was switched, the generation is dropped%n",
        next.number());
    verification.details().forEach(line -> err.println("  " + line));
    err.flush();
  }

  /** Marks a generation that will never be switched to FAILED, drops it and deletes its group. */
  private static void discard(Kafka kafka, Generations generations, Generation next, String why) {
    try {
      generations.fail(next, why);
      kafka.deleteGroupWhenEmpty(next.applicationId(), Duration.ofSeconds(30));
    } catch (RuntimeException e) {
      // The caller's failure is what the user needs to read; this one is left for --abandon.
    }
  }

  private int abandon(Kafka kafka, Generations generations, Duration wait, PrintWriter out) {
    List<Generation> building = generations.all().stream()
        .filter(generation -> generation.state() == Generation.State.BUILDING).toList();
    if (building.isEmpty() && !finishRetirements(kafka, generations, wait, out)) {
      throw new CliException("no rebuild to abandon: no generation is being built or retired");
    }
    for (Generation generation : building) {
      generations.fail(generation, "abandoned");
      kafka.deleteGroupWhenEmpty(generation.applicationId(), Duration.ofSeconds(60));
      out.printf("abandoned generation %d: schema %s dropped, group %s deleted%n", generation.number(),
          generation.schema(), generation.applicationId());
    }
    return TallyCli.OK;
  }

  /**
   * Retires every generation a rebuild switched away from but did not finish retiring (it was
   * stopped after its switch); returns whether there was one. Retiring is safe to repeat: the
   * group's deletion tolerates a deleted group, the schema is dropped if it exists.
   */
  private static boolean finishRetirements(Kafka kafka, Generations generations, Duration wait, PrintWriter out) {
    List<Generation> retiring = generations.all().stream()
        .filter(generation -> generation.state() == Generation.State.RETIRING).toList();
    for (Generation old : retiring) {
      out.printf("generation %d was left RETIRING by an interrupted rebuild: retiring it now%n", old.number());
      retire(kafka, generations, old, wait, out);
    }
    return !retiring.isEmpty();
  }

  private static void retire(Kafka kafka, Generations generations, Generation old, Duration wait, PrintWriter out) {
    Optional<String> left = kafka.deleteGroupWhenEmpty(old.applicationId(), wait);
    generations.retire(old);
    out.printf("retired generation %d: schema %s dropped%s%n", old.number(), old.schema(),
        left.map(why -> "; group " + old.applicationId() + " kept: " + why).orElse(", group " + old.applicationId()
            + " deleted"));
    out.flush();
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
