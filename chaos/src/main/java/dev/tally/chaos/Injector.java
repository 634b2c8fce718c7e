package dev.tally.chaos;

import dev.tally.bench.Proc;
import dev.tally.bench.Stack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * Injects a fault with the pids the stack recorded ({@code TALLY_HOME/run/*.pid}, PostgreSQL's
 * {@code postmaster.pid}), and brings what it killed back with {@code ./tally up}, which starts
 * only what does not run.
 */
final class Injector {

  private static final Duration DEATH_LIMIT = Duration.ofSeconds(30);
  private static final Duration UP_LIMIT = Duration.ofMinutes(5);
  private static final int UP_ATTEMPTS = 3;

  private final Stack stack;
  private volatile long paused = -1;

  Injector(Stack stack) {
    this.stack = stack;
  }

  /**
   * What an injection did: when the stack was given back (the restart began, or the broker was
   * resumed; System.nanoTime), how long {@code ./tally up} took, and the ends of the logs of
   * attempts that failed.
   */
  record Injected(String what, long restartedAt, double restartSeconds, List<String> restartFailures) {
  }

  /** Injects {@code fault}; tells {@code givenBack} the moment the restart begins (or the broker is resumed). */
  Injected inject(Fault fault, Duration pause, LongConsumer givenBack) throws InterruptedException {
    return switch (fault) {
      case BROKER_PAUSE -> pause(pid("kafka"), pause, givenBack);
      case POSTGRES -> {
        // The server crashes as a whole: the postmaster and every process of it at once, so that no
        // backend or WAL writer outlives it to flush what a crash would lose.
        long pid = require(stack.postmasterPid(), "the PostgreSQL server (postmaster.pid)");
        List<ProcessHandle> server = new ArrayList<>(List.of(ProcessHandle.of(pid).orElseThrow(
            () -> new IllegalStateException("the PostgreSQL server (pid " + pid + ") does not run"))));
        server.addAll(server.getFirst().descendants().toList());
        kill(server);
        yield restart("killed the PostgreSQL server (pid " + pid + ") and its " + (server.size() - 1) + " processes",
            givenBack);
      }
      case COMMAND_API, PROJECTOR, QUERY_API, BROKER -> {
        long pid = pid(fault.option);
        kill(List.of(ProcessHandle.of(pid).orElseThrow(
            () -> new IllegalStateException(fault.option + " (pid " + pid + ") does not run"))));
        yield restart("killed " + fault.option + " (pid " + pid + ")", givenBack);
      }
    };
  }

  /** Resumes a broker this injector paused, if one is paused (for an interrupted run). */
  void resume() {
    long pid = paused;
    if (pid > 0) {
      paused = -1;
      stack.signal(pid, "CONT");
    }
  }

  private Injected pause(long pid, Duration pause, LongConsumer givenBack) throws InterruptedException {
    stack.signal(pid, "STOP");
    paused = pid;
    long resumedAt;
    try {
      Thread.sleep(pause);
    } finally {
      resumedAt = System.nanoTime();
      givenBack.accept(resumedAt);
      resume();
    }
    return new Injected("paused the Kafka broker (pid " + pid + ") for " + pause.toSeconds() + " s", resumedAt, 0,
        List.of());
  }

  /** SIGKILL to each process, one right after the other; returns once they are all gone. */
  private static void kill(List<ProcessHandle> processes) throws InterruptedException {
    processes.forEach(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + DEATH_LIMIT.toNanos();
    for (ProcessHandle process : processes) {
      while (process.isAlive()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("pid " + process.pid() + " still runs " + DEATH_LIMIT.toSeconds()
              + " s after SIGKILL");
        }
        Thread.sleep(20);
      }
    }
  }

  private Injected restart(String what, LongConsumer givenBack) {
    long restartedAt = System.nanoTime();
    givenBack.accept(restartedAt);
    List<String> failures = new ArrayList<>();
    for (int attempt = 1; attempt <= UP_ATTEMPTS; attempt++) {
      Proc.Result up = stack.tally(UP_LIMIT, "up");
      if (up.ok()) {
        return new Injected(what, restartedAt, (System.nanoTime() - restartedAt) / 1e9, failures);
      }
      failures.add(up.tail(6));
    }
    throw new IllegalStateException("./tally up failed " + UP_ATTEMPTS + " times after the fault (" + what
        + "); the last time:\n" + failures.getLast());
  }

  private long pid(String component) {
    return require(stack.pid(component), component + " (run/" + component + ".pid)");
  }

  private static long require(OptionalLong pid, String what) {
    return pid.orElseThrow(() -> new IllegalStateException("no pid recorded for " + what + ": is the stack up?"));
  }
}
