package dev.tally.command;

import dev.tally.command.account.AccountBinding;
import dev.tally.runtime.writer.StateRebuild;
import dev.tally.runtime.writer.WriterSettings;
import dev.tally.schemas.AggregateTopics;
import dev.tally.schemas.Writers;
import java.time.Duration;
import java.util.Map;
import ch.qos.logback.classic.Level;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the account writer's state from the event log: {@code ./tally rebuild-writer-state
 * [--execute]}. A dry run by default; it refuses while a command API instance is running, and
 * whatever would delete state rather than repair it (see {@link StateRebuild}).
 *
 * <p>Exit codes: 0 the stored states equal the fold of the log (or were repaired), 3 a dry run
 * found differences, 1 refused or failed.
 */
public final class WriterStateTool {

  private WriterStateTool() {
  }

  public static void main(String[] args) {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.ERROR);
    String bootstrap = option(args, "--bootstrap-servers", "127.0.0.1:9092");
    String applicationId = option(args, "--application-id", Writers.applicationId(AccountBinding.AGGREGATE_TYPE));
    AggregateTopics topics = AggregateTopics.of(AccountBinding.AGGREGATE_TYPE);
    boolean execute = java.util.List.of(args).contains("--execute");
    WriterSettings settings = new WriterSettings(AccountBinding.AGGREGATE_TYPE,
        option(args, "--commands-topic", topics.commands()),
        option(args, "--events-topic", topics.events()),
        option(args, "--results-topic", topics.results()),
        Duration.ZERO, Duration.ZERO, Duration.ZERO);
    try {
      StateRebuild.Report report = new StateRebuild<>(new AccountBinding(), settings, applicationId,
          Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
              CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
              CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000)).run(execute);
      System.out.println((execute ? "rebuilt: " : "dry run (add --execute to repair): ") + report);
      System.exit(!execute && !report.differing().isEmpty() ? 3 : 0);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("tally: rebuild-writer-state failed: " + cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
      System.exit(1);
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
