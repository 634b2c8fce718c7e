package dev.tally.cli;

import dev.tally.ledger.Ledger;
import dev.tally.runtime.core.Slice;
import dev.tally.testing.TestInfrastructure;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs {@code tally} in-process, as {@code main} would, and captures what it prints. */
final class Cli {

  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private Cli() {
  }

  /** Runs against the test broker: {@code --bootstrap-servers} is appended. */
  static Result run(String... args) {
    return runWith(Ledger.SLICES, args);
  }

  /** As {@link #run}, over {@code slices} instead of the registered ones. */
  static Result runWith(List<Slice> slices, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--bootstrap-servers");
    all.add(TestInfrastructure.kafkaBootstrapServers());
    return execute(TallyCli.commandLine(slices), all.toArray(String[]::new));
  }

  static Result runRaw(String... args) {
    return execute(TallyCli.commandLine(), args);
  }

  private static Result execute(CommandLine commandLine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }
}
