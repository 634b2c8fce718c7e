package dev.tally.cli;

import dev.tally.schemas.Writers;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.tools.StreamsResetter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tally rewind}: moves a stopped group's committed offsets. Dry run unless {@code --execute};
 * refuses while the group has live members, and always for a single writer's group ({@link Writers});
 * a Kafka Streams application is reset with Kafka's own {@link StreamsResetter} (input offsets,
 * internal topics). See docs/adr/0011-rewind-semantics.md.
 */
@Command(
    name = "rewind",
    mixinStandardHelpOptions = true,
    description = {
        "Move a stopped group's offsets (dry run unless --execute).",
        "",
        "Moves a stopped consumer group's (or Kafka Streams app's) committed offsets. Prints the "
            + "per-partition plan and changes nothing unless --execute is given. Refuses while the group "
            + "has live members. A Kafka Streams app is reset with Kafka's StreamsResetter (input offsets "
            + "and internal topics); its instances must then delete their local state before restarting. "
            + "A single writer's group (an application id ending in -writer) is never rewound: its state is a "
            + "source of truth."})
final class RewindCommand implements Callable<Integer> {

  private static final DateTimeFormatter RESETTER_DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Mixin
  private KafkaOptions kafkaOptions;

  @Option(names = "--group", required = true, paramLabel = "GROUP",
      description = "The consumer group id (for a Kafka Streams app: its application.id).")
  private String group;

  @ArgGroup(exclusive = true, multiplicity = "1", heading = "Target (exactly one):%n")
  private Target target;

  static final class Target {
    @Option(names = "--to-earliest", description = "The start of the log.")
    boolean earliest;

    @Option(names = "--to-latest", description = "The end of the log (last stable offset): skip everything unread.")
    boolean latest;

    @Option(names = "--to-datetime", paramLabel = "ISO-8601",
        description = "The first record with a timestamp at or after this instant (UTC when no offset is given).")
    String datetime;

    @Option(names = "--by-duration", paramLabel = "ISO-8601-DURATION",
        description = "The first record at or after now minus this duration, e.g. PT30M, P1D.")
    String duration;

    @Option(names = "--to-offset", paramLabel = "N", description = "This offset on every partition (must be inside the log).")
    Long offset;
  }

  @Option(names = "--topic", paramLabel = "TOPIC",
      description = "Rewind on this topic (repeatable). Default: every non-internal topic the group has committed offsets on.")
  private List<String> topics = new ArrayList<>();

  @Option(names = "--streams",
      description = "Treat the group as a Kafka Streams application even if it has no internal topics.")
  private boolean streams;

  @Option(names = "--execute", description = "Apply the plan. Without it nothing is changed (dry run).")
  private boolean execute;

  @Spec
  private CommandSpec spec;

  /** Where each partition goes; the target is resolved to concrete offsets before anything changes. */
  record Step(TopicPartition partition, Long current, long target, long start, long end) {
    String change() {
      if (current == null) {
        return "start at " + target;
      }
      if (target < current) {
        return "re-read " + (current - target);
      }
      if (target > current) {
        return "skip " + (target - current);
      }
      return "unchanged";
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Instant now = Instant.now();
    Instant at = timestampTarget(now);
    if (target.offset != null && target.offset < 0) {
      throw new CliException("--to-offset " + target.offset + " is negative");
    }
    if (Writers.isWriter(group)) {
      throw new CliException("group " + group + " is a single writer's: its state (aggregate states, remembered"
          + " answers to idempotency keys) is a source of truth that a rewind or reset would destroy, and rewinding it"
          + " would decide old commands again; nothing changed. Its state is rebuilt from the event log with"
          + " ./tally rebuild-writer-state");
    }
    try (Kafka kafka = kafkaOptions.connect()) {
      GroupListing listing = kafka.group(group).orElseThrow(() -> new CliException(
          "no consumer group " + group + " on " + kafka.bootstrapServers() + " (tally status lists the groups)"));
      if (Kafka.isStreamsGroup(listing) || Kafka.isShareGroup(listing)) {
        throw new CliException("group " + group + " is a " + Kafka.typeName(listing)
            + " group: rewinding it is not supported (only classic and consumer-protocol groups)");
      }
      refuseIfLive(kafka, listing);

      List<String> internalTopics = kafka.topics().stream()
          .filter(t -> t.startsWith(group + "-") && StreamsResetter.matchesInternalTopicFormat(t))
          .sorted().toList();
      boolean streamsApp = streams || !internalTopics.isEmpty();

      Map<TopicPartition, Long> committed = kafka.committedOffsets(listing);
      List<String> rewound = rewoundTopics(committed, internalTopics);
      List<Step> plan = plan(kafka, committed, rewound, at);

      printPlan(out, plan, streamsApp, internalTopics);
      if (streamsApp) {
        runStreamsResetter(kafka, rewound, plan, at, out);
      } else if (execute) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        plan.forEach(step -> offsets.put(step.partition(), new OffsetAndMetadata(step.target())));
        try {
          kafka.await(kafka.admin().alterConsumerGroupOffsets(group, offsets).all(), "rewind group " + group);
        } catch (CliException e) {
          refuseIfLive(kafka, kafka.group(group).orElse(listing));
          throw e;
        }
      }
      if (execute) {
        verify(kafka, listing, plan);
        out.println("Done: group " + group + " rewound on " + plan.size() + " partition(s).");
        if (streamsApp) {
          out.println("Before restarting any instance of " + group + ", delete its local state: call"
              + " KafkaStreams.cleanUp() before start(), or delete <state.dir>/" + group + " on every instance.");
        } else {
          out.println("Start the group's consumers: they resume from these offsets.");
        }
      } else {
        out.println("Dry run: nothing changed. Run again with --execute to apply this plan.");
      }
      out.flush();
      return TallyCli.OK;
    }
  }

  /** The instant a --to-datetime / --by-duration target means; refuses malformed and future ones. */
  private Instant timestampTarget(Instant now) {
    if (target.datetime != null) {
      Instant at = Formats.instant(target.datetime, "--to-datetime");
      if (at.isAfter(now)) {
        throw new CliException("--to-datetime " + target.datetime + " is in the future (now is " + now + "): nothing changed");
      }
      return at;
    }
    if (target.duration != null) {
      Duration ago = Formats.duration(target.duration, "--by-duration");
      return now.minus(ago);
    }
    return null;
  }

  private void refuseIfLive(Kafka kafka, GroupListing listing) {
    int members = kafka.liveMembers(listing);
    if (members > 0) {
      throw new CliException("group " + group + " has " + members + " live member(s): stop every consumer"
          + " (every instance of the application) first; nothing changed");
    }
  }

  private List<String> rewoundTopics(Map<TopicPartition, Long> committed, List<String> internalTopics) {
    if (!topics.isEmpty()) {
      return List.copyOf(new LinkedHashSet<>(topics));
    }
    Set<String> read = new LinkedHashSet<>();
    committed.keySet().stream().map(TopicPartition::topic).filter(t -> !internalTopics.contains(t)).sorted()
        .forEach(read::add);
    if (read.isEmpty()) {
      throw new CliException("group " + group + " has no committed offsets on any input topic: name one with --topic");
    }
    return List.copyOf(read);
  }

  private List<Step> plan(Kafka kafka, Map<TopicPartition, Long> committed, List<String> rewound, Instant at) {
    List<TopicPartition> partitions = new ArrayList<>();
    rewound.forEach(topic -> partitions.addAll(kafka.partitions(topic)));
    Map<TopicPartition, Long> starts = kafka.offsets(partitions, OffsetSpec.earliest(), "start offsets");
    Map<TopicPartition, Long> ends = kafka.offsets(partitions, OffsetSpec.latest(), "end offsets");
    Map<TopicPartition, Long> atTime = at == null ? Map.of()
        : kafka.offsets(partitions, OffsetSpec.forTimestamp(at.toEpochMilli()), "offsets at " + at);
    List<Step> plan = new ArrayList<>();
    for (TopicPartition partition : partitions) {
      long start = starts.get(partition);
      long end = ends.get(partition);
      long to;
      if (target.earliest) {
        to = start;
      } else if (target.latest) {
        to = end;
      } else if (target.offset != null) {
        to = target.offset;
        if (to < start || to > end) {
          throw new CliException("--to-offset " + to + " is outside the log of " + partition + " (offsets " + start
              + " to " + end + "): nothing changed");
        }
      } else {
        long found = atTime.getOrDefault(partition, -1L);
        to = found < 0 ? end : found; // no record at or after the instant: nothing to re-read
      }
      plan.add(new Step(partition, committed.get(partition), to, start, end));
    }
    return plan;
  }

  private void printPlan(PrintWriter out, List<Step> plan, boolean streamsApp, List<String> internalTopics) {
    out.println((execute ? "Rewinding" : "Dry run: plan to rewind") + " group " + group + " to " + describeTarget()
        + (streamsApp ? " (Kafka Streams application)" : ""));
    Table table = new Table("TOPIC", "PARTITION", "CURRENT", "TARGET", "LOG", "CHANGE");
    long reread = 0;
    long skipped = 0;
    for (Step step : plan) {
      table.row(step.partition().topic(), step.partition().partition(), step.current(), step.target(),
          step.start() + ".." + step.end(), step.change());
      if (step.current() != null) {
        reread += Math.max(0, step.current() - step.target());
        skipped += Math.max(0, step.target() - step.current());
      }
    }
    table.print(out, "  ");
    out.println("Total: re-read " + reread + " record(s), skip " + skipped + " record(s).");
    if (streamsApp) {
      out.println("Internal topics (deleted by the reset; the application recreates and refills them): "
          + (internalTopics.isEmpty() ? "none" : String.join(", ", internalTopics)));
    }
  }

  private String describeTarget() {
    if (target.earliest) {
      return "the earliest offsets";
    }
    if (target.latest) {
      return "the latest offsets";
    }
    if (target.offset != null) {
      return "offset " + target.offset;
    }
    if (target.datetime != null) {
      return "the first records at or after " + target.datetime;
    }
    return "the first records at or after " + target.duration + " ago";
  }

  /**
   * Kafka's own application reset tool: resets the input offsets to the same target, seeks
   * intermediate topics to their end, deletes the internal topics. Times are handed over as one
   * absolute instant, so the tool applies exactly the plan printed above.
   */
  private void runStreamsResetter(Kafka kafka, List<String> inputTopics, List<Step> plan, Instant at, PrintWriter out) {
    List<String> args = new ArrayList<>(List.of(
        "--application-id", group,
        "--bootstrap-server", kafka.bootstrapServers(),
        "--input-topics", String.join(",", inputTopics)));
    if (target.earliest) {
      args.add("--to-earliest");
    } else if (target.latest) {
      args.add("--to-latest");
    } else if (target.offset != null) {
      args.addAll(List.of("--to-offset", Long.toString(target.offset)));
    } else {
      args.addAll(List.of("--to-datetime", RESETTER_DATETIME.format(at)));
    }
    if (!execute) {
      args.add("--dry-run");
    }
    Captured result = Captured.run(() -> new StreamsResetter().execute(args.toArray(String[]::new), kafka.consumerConfig()));
    out.println("Kafka StreamsResetter (" + (execute ? "executing" : "--dry-run") + "):");
    result.out().lines().filter(line -> !line.isBlank()).forEach(line -> out.println("  | " + line));
    if (result.exitCode() != 0) {
      String why = result.err().lines().filter(line -> line.startsWith("ERROR")).findFirst()
          .orElse(result.out().lines().reduce((a, b) -> b).orElse("exit code " + result.exitCode()));
      throw new CliException("Kafka's StreamsResetter failed for " + group + ": " + why);
    }
    if (!execute) {
      out.println("With --execute, each instance must then delete its local state before it restarts"
          + " (KafkaStreams.cleanUp(), or delete <state.dir>/" + group + ").");
    }
  }

  /** Reads the offsets back: what was committed must be exactly the plan. */
  private void verify(Kafka kafka, GroupListing listing, List<Step> plan) {
    Map<TopicPartition, Long> now = new TreeMap<>(Kafka.PARTITION_ORDER);
    now.putAll(kafka.committedOffsets(listing));
    List<String> differences = new ArrayList<>();
    for (Step step : plan) {
      Long committed = now.get(step.partition());
      if (committed == null || committed != step.target()) {
        differences.add(step.partition() + " is at " + committed + ", planned " + step.target());
      }
    }
    if (!differences.isEmpty()) {
      throw new CliException("group " + group + " is not where the plan put it: " + String.join("; ", differences));
    }
  }
}
