package dev.tally.cli;

import java.io.PrintWriter;
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
    description = "Operate a Tally event log and read model: consumer status, rewinds, rebuilds, as-of copies, an account's history, dead letters.",
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

  /** The configured command line: subcommands, and one-line messages instead of stack traces. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new TallyCli());
    commandLine.setExecutionExceptionHandler(TallyCli::handleFailure);
    return commandLine;
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
