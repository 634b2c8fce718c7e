package dev.tally.cli;

import dev.tally.runtime.core.Slice;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tally}: the operator's command-line tool over Kafka's Admin API.
 *
 * <p>Each subcommand is a class annotated with {@link Command} and listed below. Exit codes: 0 ok,
 * 1 refused or failed (one line on stderr), 2 usage error; {@code rebuild} adds 3, verification failed, and
 * {@code as-of} 3, records that cannot be folded.
 */
@Command(
    name = "tally",
    mixinStandardHelpOptions = true,
    version = "tally 0.1.0-SNAPSHOT",
    description = "Operate a Tally event log and read model: consumer status, rewinds, rebuilds, as-of copies, an aggregate's history, dead letters.",
    subcommands = {StatusCommand.class, RewindCommand.class, RebuildCommand.class, AsOfCommand.class, HistoryCommand.class,
        DeadLettersCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:ok",
        "1:refused or failed (one line on stderr says why)",
        "2:usage error"})
public final class TallyCli implements Runnable {

  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line over the registered slices: subcommands, and one-line messages instead of stack traces. */
  public static CommandLine commandLine() {
    return commandLine(Registry.LEDGER);
  }

  /** As {@link #commandLine()}, over {@code slices} instead of the registered ones. */
  public static CommandLine commandLine(List<Slice> slices) {
    return commandLine(new Registry(slices));
  }

  private static CommandLine commandLine(Registry registry) {
    CommandLine commandLine = new CommandLine(new TallyCli(), withRegistry(registry));
    commandLine.setExecutionExceptionHandler(TallyCli::handleFailure);
    return commandLine;
  }

  /** Picocli's factory, handing {@code registry} to the commands whose constructor takes it. */
  private static CommandLine.IFactory withRegistry(Registry registry) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    return new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
          if (constructor.getParameterCount() == 1 && constructor.getParameterTypes()[0] == Registry.class) {
            constructor.setAccessible(true);
            return type.cast(constructor.newInstance(registry));
          }
        }
        return defaults.create(type);
      }
    };
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  private static int handleFailure(Exception failure, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    String message = failure instanceof CliException ? failure.getMessage() : describe(failure);
    err.println(commandLine.getCommandSpec().qualifiedName() + ": " + message);
    err.flush();
    return FAILED;
  }

  /** A one-line description of an unexpected failure: its innermost meaningful message. */
  static String describe(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause
        && (cause.getMessage() == null || cause instanceof java.util.concurrent.ExecutionException)) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
