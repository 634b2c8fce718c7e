package dev.tally.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Where the CPU went during a phase: the CPU time of each process of the stack (PostgreSQL with
 * all its backends), of the benchmark itself, and of the whole machine, from {@code /proc}, as
 * percent of one core (200% is both cores of this machine). "other" is everything else running.
 */
final class Cpu {

  private static final double TICKS_PER_SECOND = 100;
  private static final List<String> COMPONENTS = List.of("command-api", "query-api", "projector", "kafka");

  private final Stack stack;

  Cpu(Stack stack) {
    this.stack = stack;
  }

  /** CPU ticks so far per component, and the machine's busy ticks, at one moment. */
  record Snapshot(long nanos, Map<String, Long> ticks, long machineBusy) {
  }

  Snapshot snapshot() {
    Map<String, Long> ticks = new LinkedHashMap<>();
    for (String component : COMPONENTS) {
      stack.pid(component).ifPresent(pid -> ticks.put(component, processTicks(pid)));
    }
    OptionalLong postmaster = stack.postmasterPid();
    if (postmaster.isPresent()) {
      long sum = processTicks(postmaster.getAsLong()) + ProcessHandle.of(postmaster.getAsLong())
          .map(handle -> handle.descendants().mapToLong(child -> processTicks(child.pid())).sum()).orElse(0L);
      ticks.put("postgresql", sum);
    }
    ticks.put("bench", processTicks(ProcessHandle.current().pid()));
    return new Snapshot(System.nanoTime(), ticks, machineBusyTicks());
  }

  /** Percent of one core per component between two snapshots, plus "other" and "machine". */
  static Map<String, Object> between(Snapshot start, Snapshot end) {
    double seconds = (end.nanos() - start.nanos()) / 1e9;
    Map<String, Object> percent = new LinkedHashMap<>();
    long known = 0;
    for (Map.Entry<String, Long> entry : end.ticks().entrySet()) {
      Long before = start.ticks().get(entry.getKey());
      if (before != null) {
        long used = Math.max(0, entry.getValue() - before);
        known += used;
        percent.put(entry.getKey(), Math.round(100 * used / TICKS_PER_SECOND / seconds));
      }
    }
    long machine = Math.max(0, end.machineBusy() - start.machineBusy());
    percent.put("other", Math.max(0, Math.round(100 * (machine - known) / TICKS_PER_SECOND / seconds)));
    percent.put("machine", Math.round(100 * machine / TICKS_PER_SECOND / seconds));
    return percent;
  }

  /** utime + stime of a process (its exited children not included), in clock ticks. */
  static long processTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static long machineBusyTicks() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < fields.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(fields[i]);
        }
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
