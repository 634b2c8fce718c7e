package dev.tally.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * Runs a tool that writes to {@link System#out} / {@link System#err} (Kafka's StreamsResetter)
 * and captures what it wrote, so the CLI can print it through its own writers.
 */
record Captured(int exitCode, String out, String err) {

  static synchronized Captured run(IntSupplier tool) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exitCode;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      exitCode = tool.getAsInt();
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
    return new Captured(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
