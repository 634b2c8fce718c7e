package dev.tally.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The stack under test: {@code ./tally reset}, {@code up}, {@code down} (and {@code rebuild}) in
 * their own {@code TALLY_HOME}, so that the benchmark (or {@code ./tally chaos}) starts from empty
 * data and never touches the developer's own stack. The services' Kafka Streams state directories
 * are moved under that home too, so that no other stack on this machine shares them.
 */
public final class Stack {

  private static final Duration PORT_WAIT = Duration.ofMinutes(10);

  public final Path root;
  public final Path home;
  public final Ports ports;
  /** Where the output of every child process run for the stack is kept. */
  final Path logs;
  private final Map<String, String> env = new HashMap<>();

  /** A stack in {@code home}, driven by {@code root}'s {@code ./tally}, its child processes' logs in {@code home/logDirectory}. */
  public Stack(Path root, Path home, Ports ports, String logDirectory) {
    this.root = root;
    this.home = home;
    this.ports = ports;
    this.logs = home.resolve(logDirectory);
    env.put("TALLY_HOME", home.toString());
    env.put("TALLY_COMMAND_STATEDIR", home.resolve("data/streams/command-api").toString());
    env.put("TALLY_PROJECTOR_STATEDIR", home.resolve("data/streams/projector").toString());
  }

  /** Sets a variable for every {@code ./tally} this stack runs, unless the environment sets it already. */
  public Stack withDefault(String name, String value) {
    if (System.getenv(name) == null) {
      env.put(name, value);
    }
    return this;
  }

  /** Ports of the stack, from the same TALLY_* variables the script reads. */
  public record Ports(int kafka, int postgres, int command, int query, int projector) {

    public static Ports fromEnvironment() {
      return new Ports(port("TALLY_KAFKA_PORT", 9092), port("TALLY_POSTGRES_PORT", 5433),
          port("TALLY_COMMAND_PORT", 8080), port("TALLY_QUERY_PORT", 8081), port("TALLY_PROJECTOR_PORT", 8082));
    }

    private static int port(String name, int fallback) {
      String value = System.getenv(name);
      return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
    }

    public String bootstrap() {
      return "127.0.0.1:" + kafka;
    }

    public String jdbc() {
      return "jdbc:postgresql://127.0.0.1:" + postgres + "/tally";
    }
  }

  /** Wipes the benchmark's data and starts the stack; waits (never kills anything) while another program holds a port. */
  public void startFresh() throws InterruptedException {
    Proc.Result reset = tally(Duration.ofMinutes(3), "reset");
    if (!reset.ok()) {
      throw new IllegalStateException("./tally reset failed:\n" + reset.tail(10));
    }
    long deadline = System.nanoTime() + PORT_WAIT.toNanos();
    int failures = 0;
    while (true) {
      Proc.Result up = tally(Duration.ofMinutes(10), "up");
      if (up.ok()) {
        System.out.printf("stack up in %.0f s (TALLY_HOME=%s)%n", up.seconds(), home);
        return;
      }
      if (up.output().contains("already in use") && System.nanoTime() < deadline) {
        System.out.println("a port is taken by another program (" + up.tail(1).strip() + "); waiting 20 s and retrying");
        Thread.sleep(20_000);
        continue;
      }
      // ./tally up stops what it started when it fails; a second attempt finds the data as the first left it.
      if (++failures >= 3) {
        throw new IllegalStateException("./tally up failed " + failures + " times; the last time:\n" + up.tail(25));
      }
      startFailures.add(up.tail(6));
      System.out.println("./tally up failed; retrying. Its last lines:\n" + up.tail(6).indent(4));
    }
  }

  /** The ends of the logs of failed ./tally up attempts that a retry got past (reported with the results). */
  final List<String> startFailures = new ArrayList<>();

  public void stop() {
    Proc.Result down = tally(Duration.ofMinutes(3), "down");
    System.out.println(down.ok() ? "stack stopped" : "./tally down failed:\n" + down.tail(10));
  }

  /** Runs {@code ./tally ARGS...} against the benchmark's home. */
  public Proc.Result tally(Duration limit, String... args) {
    List<String> command = new ArrayList<>(List.of(root.resolve("tally").toString()));
    command.addAll(List.of(args));
    return Proc.run(command, root, env, limit, logs.resolve("tally-" + args[0] + ".log"));
  }

  /** The pid ./tally recorded for a component (projector, command-api, query-api, kafka, postgres). */
  public OptionalLong pid(String component) {
    return readPid(home.resolve("run/" + component + ".pid"));
  }

  /** The PostgreSQL server itself (the postgres component's pid is its launcher JVM). */
  public OptionalLong postmasterPid() {
    return readPid(home.resolve("data/postgres/postmaster.pid"));
  }

  private static OptionalLong readPid(Path file) {
    try {
      if (!Files.exists(file)) {
        return OptionalLong.empty();
      }
      String first = Files.readAllLines(file).stream().findFirst().orElse("").strip();
      return first.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(first));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Sends a signal (STOP, CONT) to a process this stack started. */
  public void signal(long pid, String signal) {
    Proc.Result result = Proc.run(List.of("kill", "-" + signal, Long.toString(pid)), root, Map.of(),
        Duration.ofSeconds(10), logs.resolve("kill.log"));
    if (!result.ok()) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + result.tail(3));
    }
  }
}
