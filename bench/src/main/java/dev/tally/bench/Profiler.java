package dev.tally.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Optional ({@code --jfr}): a Java Flight Recorder recording of one service during one phase,
 * started and stopped with {@code jcmd}, summarised as the methods most often on top of the
 * sampled stacks, the packages they belong to, and the innermost Tally method on each stack (which
 * of Tally's code the time is spent under).
 */
final class Profiler {

  private final Stack stack;
  private final long pid;
  private final Path file;

  private Profiler(Stack stack, long pid, Path file) {
    this.stack = stack;
    this.pid = pid;
    this.file = file;
  }

  static Profiler start(Stack stack, String component) {
    long pid = stack.pid(component).orElseThrow(() -> new IllegalStateException("no pid for " + component));
    Path file = stack.logs.resolve(component + ".jfr").toAbsolutePath();
    Proc.Result started = jcmd(stack, pid, "JFR.start", "name=bench", "settings=profile");
    if (!started.ok()) {
      throw new IllegalStateException("jcmd JFR.start failed: " + started.tail(3));
    }
    return new Profiler(stack, pid, file);
  }

  /** Stops the recording and answers the top frames ("42.1% pkg.Class.method") and top packages. */
  Map<String, Object> stop(int top) throws IOException {
    Proc.Result stopped = jcmd(stack, pid, "JFR.stop", "name=bench", "filename=" + file);
    if (!stopped.ok()) {
      throw new IllegalStateException("jcmd JFR.stop failed: " + stopped.tail(3));
    }
    Map<String, Long> methods = new HashMap<>();
    Map<String, Long> packages = new HashMap<>();
    Map<String, Long> tally = new HashMap<>();
    long samples = 0;
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent event = recording.readEvent();
        if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null
            || event.getStackTrace().getFrames().isEmpty()) {
          continue;
        }
        RecordedFrame frame = event.getStackTrace().getFrames().getFirst();
        String type = frame.getMethod().getType().getName();
        methods.merge(type + "." + frame.getMethod().getName(), 1L, Long::sum);
        packages.merge(packageOf(type), 1L, Long::sum);
        event.getStackTrace().getFrames().stream().map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName())
            .filter(name -> name.startsWith("dev.tally.")).findFirst()
            .ifPresent(name -> tally.merge(name, 1L, Long::sum));
        samples++;
      }
    }
    return Map.of("file", file.toString(), "samples", samples,
        "top_methods", ranked(methods, samples, top), "top_packages", ranked(packages, samples, top),
        "innermost_tally_frames", ranked(tally, samples, top));
  }

  static String packageOf(String type) {
    String[] parts = type.split("\\.");
    int keep = Math.min(parts.length - 1, type.startsWith("dev.tally.") || type.startsWith("org.apache.") ? 4 : 3);
    return keep <= 0 ? type : String.join(".", Arrays.copyOf(parts, keep));
  }

  private static List<String> ranked(Map<String, Long> counts, long total, int top) {
    List<String> lines = new ArrayList<>();
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
        .forEach(entry -> lines.add(String.format(Locale.ROOT, "%5.1f%% %s", 100.0 * entry.getValue() / total,
            entry.getKey())));
    return lines;
  }

  private static Proc.Result jcmd(Stack stack, long pid, String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid)));
    command.addAll(List.of(args));
    return Proc.run(command, stack.root, Map.of(), Duration.ofMinutes(1), stack.logs.resolve("jcmd.log"));
  }
}
