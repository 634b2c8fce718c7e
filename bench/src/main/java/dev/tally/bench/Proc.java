package dev.tally.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a child process to its end (or a time limit), its output captured to a file and kept for the report. */
public final class Proc {

  private Proc() {
  }

  /** How a child process ended: exit code (-1 if it was stopped at the time limit), all its output, seconds taken. */
  public record Result(int exit, String output, double seconds) {

    public boolean ok() {
      return exit == 0;
    }

    /** The last non-blank lines of the output, for an error message. */
    public String tail(int lines) {
      List<String> all = output.lines().filter(line -> !line.isBlank()).toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
  }

  static Result run(List<String> command, Path directory, Map<String, String> env, Duration limit, Path log) {
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().putAll(env);
      long start = System.nanoTime();
      Process process = builder.start();
      boolean finished = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      String output = Files.readString(log, StandardCharsets.UTF_8);
      return new Result(finished ? process.exitValue() : -1,
          finished ? output : output + "\n(stopped after " + limit.toSeconds() + " s)", seconds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
