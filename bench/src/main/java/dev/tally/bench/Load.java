package dev.tally.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Fixed-duration load from a fixed set of worker threads, each with its own {@link Call} (its own
 * connections). Closed loop: every worker sends its next request as soon as the last one answered.
 * Open loop: requests are due at a fixed rate on one schedule shared by all workers, and a
 * request's latency runs from the moment it was due, not from when a worker got round to sending
 * it (coordinated omission corrected: a stalled server shows up in the latencies, not as a
 * lower rate). A warm-up at the same load precedes the measured window.
 */
final class Load {

  private static final long HIGHEST_MICROS = Duration.ofMinutes(5).toNanos() / 1000;
  private static final long LATE_NANOS = Duration.ofMillis(5).toNanos();

  private Load() {
  }

  /** One worker's way of making a request; answers null if the response was right, else what was wrong. */
  interface Call extends AutoCloseable {
    String call(long sequence) throws Exception;

    @Override
    default void close() {
    }
  }

  /** What a run measured: successes and errors in the window, the rate, latencies in microseconds. */
  record Result(long ok, Map<String, Long> errors, double seconds, Histogram latencyMicros, long unsent, int workers,
      int maxInFlight, long sentLate) {

    /** Open loop only: whether every worker was busy at some point, so that requests waited for a free connection. */
    boolean clientSaturated() {
      return maxInFlight >= workers;
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum() + unsent;
    }

    double perSecond() {
      return ok / seconds;
    }

    double percentileMillis(double percentile) {
      return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMillis() {
      return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1000.0;
    }

    String summary() {
      return String.format("%,d ok (%,.0f/s), p50 %.2f ms, p99 %.2f ms, max %.2f ms, errors %s%s%s", ok, perSecond(),
          percentileMillis(50), percentileMillis(99), maxMillis(), errors.isEmpty() ? "none" : errors,
          unsent > 0 ? ", not sent in time " + unsent : "",
          sentLate > 0 ? String.format(", %,d sent >5 ms late (max %d of %d connections busy)", sentLate, maxInFlight, workers)
              : "");
    }
  }

  /** As many requests as the workers can make, for the warm-up and then the measured duration. */
  static Result closed(int workers, Supplier<Call> calls, Duration warmUp, Duration duration) throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + warmUp.toNanos();
    long end = measureFrom + duration.toNanos();
    Tally tally = new Tally();
    AtomicLong sequence = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      threads.add(Thread.ofPlatform().name("closed-" + i).start(() -> {
        Histogram histogram = newHistogram();
        long ok = 0;
        try (Call call = calls.get()) {
          for (long sent = System.nanoTime(); sent < end; sent = System.nanoTime()) {
            String error = attempt(call, sequence.getAndIncrement());
            if (record(tally, histogram, error, sent, System.nanoTime(), sent >= measureFrom)) {
              ok++;
            }
          }
        }
        tally.add(ok, histogram);
      }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return tally.result(duration.toNanos() / 1e9, 0, workers, workers, 0);
  }

  /**
   * Requests due at {@code rate} per second for the warm-up and the measured duration. A worker
   * takes the next due slot, waits for its time if it is early, sends it, and records the latency
   * from the slot's due time. Slots still unsent a grace period after the end count as errors.
   */
  static Result open(double rate, int workers, Supplier<Call> calls, Duration warmUp, Duration duration)
      throws InterruptedException {
    long start = System.nanoTime() + Duration.ofMillis(100).toNanos();
    long measureFrom = start + warmUp.toNanos();
    long end = measureFrom + duration.toNanos();
    long giveUp = end + Math.max(Duration.ofSeconds(10).toNanos(), duration.toNanos());
    double interval = 1e9 / rate;
    Tally tally = new Tally();
    AtomicLong slots = new AtomicLong();
    AtomicLong unsent = new AtomicLong();
    AtomicLong lastDone = new AtomicLong(end);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicLong sentLate = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      threads.add(Thread.ofPlatform().name("open-" + i).start(() -> {
        Histogram histogram = newHistogram();
        long ok = 0;
        try (Call call = calls.get()) {
          while (true) {
            long slot = slots.getAndIncrement();
            long due = start + (long) (slot * interval);
            if (due >= end) {
              break;
            }
            long now = System.nanoTime();
            if (now > giveUp) {
              if (due >= measureFrom) {
                unsent.incrementAndGet();
              }
              continue;
            }
            while (now < due) {
              LockSupport.parkNanos(due - now);
              now = System.nanoTime();
            }
            if (now - due > LATE_NANOS && due >= measureFrom) {
              sentLate.incrementAndGet();
            }
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            String error = attempt(call, slot);
            inFlight.decrementAndGet();
            long done = System.nanoTime();
            if (due >= measureFrom) {
              lastDone.accumulateAndGet(done, Math::max);
            }
            if (record(tally, histogram, error, due, done, due >= measureFrom)) {
              ok++;
            }
          }
        }
        tally.add(ok, histogram);
      }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return tally.result((lastDone.get() - measureFrom) / 1e9, unsent.get(), workers, maxInFlight.get(), sentLate.get());
  }

  /**
   * Records one answer: its latency from {@code from} if it was measured and ok, its error if not
   * (marked as a warm-up error before the measured part). True for a measured success.
   */
  private static boolean record(Tally tally, Histogram histogram, String error, long from, long done, boolean measured) {
    if (error != null) {
      tally.error(measured ? error : "(warm-up) " + error);
      return false;
    }
    if (measured) {
      histogram.recordValue(Math.min(HIGHEST_MICROS, (done - from) / 1000));
    }
    return measured;
  }

  private static String attempt(Call call, long sequence) {
    try {
      return call.call(sequence);
    } catch (Exception e) {
      return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
  }

  private static Histogram newHistogram() {
    return new Histogram(HIGHEST_MICROS, 3);
  }

  /** What the workers found, merged as they finish. */
  private static final class Tally {
    private final Histogram histogram = newHistogram();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private long ok;

    void error(String what) {
      errors.computeIfAbsent(what.length() > 120 ? what.substring(0, 120) : what, key -> new LongAdder()).increment();
    }

    synchronized void add(long workerOk, Histogram workerHistogram) {
      ok += workerOk;
      histogram.add(workerHistogram);
    }

    synchronized Result result(double seconds, long unsent, int workers, int maxInFlight, long sentLate) {
      Map<String, Long> counted = new TreeMap<>();
      errors.forEach((what, count) -> counted.put(what, count.sum()));
      return new Result(ok, counted, seconds, histogram, unsent, workers, maxInFlight, sentLate);
    }
  }
}
