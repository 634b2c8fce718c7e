package dev.tally.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Samples memory every second while the benchmark runs: each service's used heap (the sum of
 * {@code jvm_memory_used_bytes{area="heap"}} from its {@code /actuator/prometheus}) and resident
 * size; Kafka's resident size; PostgreSQL's as the summed PSS of the server and its backends
 * (shared buffers counted once). Peaks are kept; the kernel's own peak (VmHWM) is read at the end.
 */
final class Memory implements AutoCloseable {

  static final List<String> SERVICES = List.of("command-api", "query-api", "projector");

  private final Stack stack;
  private final Map<String, Long> peakHeap = new ConcurrentHashMap<>();
  private final Map<String, Long> peakRss = new ConcurrentHashMap<>();
  private final Map<String, Integer> ports;
  private final Thread thread;
  private volatile boolean running = true;

  Memory(Stack stack) {
    this.stack = stack;
    this.ports = Map.of("command-api", stack.ports.command(), "query-api", stack.ports.query(),
        "projector", stack.ports.projector());
    this.thread = Thread.ofPlatform().daemon().name("memory-sampler").start(this::run);
  }

  private void run() {
    long tick = 0;
    while (running) {
      for (String service : SERVICES) {
        heapBytes(ports.get(service)).ifPresent(bytes -> peakHeap.merge(service, bytes, Math::max));
      }
      for (String component : List.of("command-api", "query-api", "projector", "kafka")) {
        stack.pid(component).ifPresent(pid -> statusKb(pid, "VmRSS").ifPresent(kb -> peakRss.merge(component, kb, Math::max)));
      }
      if (tick++ % 5 == 0) {
        postgresPssKb().ifPresent(kb -> peakRss.merge("postgresql", kb, Math::max));
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Summed used heap of a service right now, from its Prometheus endpoint. */
  static OptionalLong heapBytes(int port) {
    try (HttpConnection connection = new HttpConnection("127.0.0.1", port)) {
      HttpConnection.Response response = connection.exchange(
          HttpConnection.request("GET", "/actuator/prometheus", "127.0.0.1", port, Map.of(), null));
      return response.status() == 200 ? heapFromPrometheus(response.body()) : OptionalLong.empty();
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  static OptionalLong heapFromPrometheus(String text) {
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? OptionalLong.of((long) sum) : OptionalLong.empty();
  }

  /** A {@code /proc/PID/status} field in kB (VmRSS, VmHWM). */
  static OptionalLong statusKb(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field + ":")) {
          return OptionalLong.of(Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip()));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return OptionalLong.empty();
  }

  private OptionalLong postgresPssKb() {
    OptionalLong postmaster = stack.postmasterPid();
    if (postmaster.isEmpty()) {
      return OptionalLong.empty();
    }
    long sum = pssKb(postmaster.getAsLong());
    sum += ProcessHandle.of(postmaster.getAsLong()).map(handle -> handle.descendants()
        .mapToLong(child -> pssKb(child.pid())).sum()).orElse(0L);
    return OptionalLong.of(sum);
  }

  private static long pssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
        if (line.startsWith("Pss:")) {
          return Long.parseLong(line.substring(4).replace("kB", "").strip());
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return 0;
  }

  /** Peaks in MB into {@code results}: heap_mb_*, rss_mb_*, max_service_heap_mb. */
  void report(Map<String, Object> results) {
    Map<String, Object> heap = new LinkedHashMap<>();
    Map<String, Object> rss = new LinkedHashMap<>();
    long max = 0;
    for (String service : SERVICES) {
      Long bytes = peakHeap.get(service);
      heap.put(service, bytes == null ? null : bytes / 1_048_576.0);
      max = Math.max(max, bytes == null ? 0 : bytes);
    }
    for (String component : List.of("command-api", "query-api", "projector", "kafka", "postgres")) {
      OptionalLong hwm = stack.pid(component).stream().mapToObj(pid -> statusKb(pid, "VmHWM"))
          .filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).findFirst();
      Long sampled = peakRss.get(component);
      long kb = Math.max(hwm.orElse(0), sampled == null ? 0 : sampled);
      rss.put(component.equals("postgres") ? "postgres-launcher-jvm" : component, kb == 0 ? null : kb / 1024.0);
    }
    Long pss = peakRss.get("postgresql");
    rss.put("postgresql-server-pss", pss == null ? null : pss / 1024.0);
    results.put("max_service_heap_mb", max == 0 ? null : max / 1_048_576.0);
    results.put("peak_heap_mb", heap);
    results.put("peak_rss_mb", rss);
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
