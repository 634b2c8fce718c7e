package dev.tally.command;

import dev.tally.ledger.Ledger;
import dev.tally.runtime.core.Slice;
import dev.tally.runtime.writer.AggregateBinding;
import dev.tally.runtime.writer.StateRebuild;
import dev.tally.runtime.writer.WriterSettings;
import dev.tally.schemas.AggregateTopics;
import dev.tally.schemas.Writers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import ch.qos.logback.classic.Level;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the writers' state from the event log: {@code ./tally rebuild-writer-state
 * [--aggregate TYPE] [--execute]}, for every registered aggregate type or for the one named. A dry
 * run by default; it refuses while a command API instance is running, and whatever would delete
 * state rather than repair it (see {@link StateRebuild}). {@code --application-id} and the topic
 * options name another writer's and need {@code --aggregate}.
 *
 * <p>Exit codes: 0 the stored states equal the fold of the log (or were repaired), 3 a dry run
 * found differences, 1 refused or failed.
 */
public final class WriterStateTool {

  private static final List<String> OVERRIDES =
      List.of("--application-id", "--commands-topic", "--events-topic", "--results-topic");

  private WriterStateTool() {
  }

  public static void main(String[] args) {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.ERROR);
    System.exit(run(args, Ledger.SLICES));
  }

  static int run(String[] args, List<Slice> slices) {
    String bootstrap = option(args, "--bootstrap-servers", "127.0.0.1:9092");
    boolean execute = List.of(args).contains("--execute");
    String only = option(args, "--aggregate", null);
    List<AggregateBinding<?, ?, ?, ?>> bindings = AggregateBinding.of(slices).stream()
        .filter(binding -> only == null || binding.aggregateType().equals(only)).toList();
    if (bindings.isEmpty()) {
      System.err.println("tally: rebuild-writer-state: no aggregate type " + only + "; known: "
          + AggregateBinding.of(slices).stream().map(AggregateBinding::aggregateType).toList());
      return 1;
    }
    if (only == null && OVERRIDES.stream().anyMatch(List.of(args)::contains)) {
      System.err.println("tally: rebuild-writer-state: " + String.join(", ", OVERRIDES)
          + " name one writer's: add --aggregate TYPE");
      return 1;
    }
    int exit = 0;
    for (AggregateBinding<?, ?, ?, ?> binding : bindings) {
      exit = Math.max(exit, rebuild(binding, args, bootstrap, execute));
      if (exit == 1) {
        break;
      }
    }
    return exit;
  }

  private static int rebuild(AggregateBinding<?, ?, ?, ?> binding, String[] args, String bootstrap, boolean execute) {
    String type = binding.aggregateType();
    String applicationId = option(args, "--application-id", Writers.applicationId(type));
    AggregateTopics topics = AggregateTopics.of(type);
    WriterSettings settings = new WriterSettings(type,
        option(args, "--commands-topic", topics.commands()),
        option(args, "--events-topic", topics.events()),
        option(args, "--results-topic", topics.results()),
        Duration.ZERO, Duration.ZERO, Duration.ZERO);
    try {
      StateRebuild.Report report = new StateRebuild<>(binding, settings, applicationId,
          Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
              CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
              CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000)).run(execute);
      System.out.println(type + ": " + (execute ? "rebuilt: " : "dry run (add --execute to repair): ") + report);
      return !execute && !report.differing().isEmpty() ? 3 : 0;
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("tally: rebuild-writer-state of " + type + " failed: " + cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
      return 1;
    }
  }

  private static String option(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
