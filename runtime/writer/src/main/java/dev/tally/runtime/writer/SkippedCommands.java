package dev.tally.runtime.writer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands a writer could not read at all: not a command, or corrupt bytes. Nobody can be
 * answered for them (there is no envelope to answer to), and no later version can read them, so
 * the writer skips them; but never silently: each one is logged, counted
 * ({@code tally.writer.skipped.commands}) and the last one is shown in health.
 */
public final class SkippedCommands {

  private static final Logger log = LoggerFactory.getLogger(SkippedCommands.class);

  private final Counter counter;
  private final AtomicLong count = new AtomicLong();
  private volatile Map<String, Object> last;

  public SkippedCommands(MeterRegistry meters, String aggregateType) {
    this.counter = Counter.builder("tally.writer.skipped.commands")
        .description("Commands the writer could not read at all and skipped (see its health for the last one)")
        .tag("aggregate", aggregateType)
        .register(meters);
  }

  void skipped(String where, String why) {
    log.error("skipping a command nobody can read at {}: {}", where, why);
    counter.increment();
    count.incrementAndGet();
    last = Map.of("at", where, "reason", why, "when", Instant.now().toString());
  }

  /** Health details: how many were skipped and the last one, once there is one. */
  public Map<String, Object> details() {
    Map<String, Object> latest = last;
    return latest == null ? Map.of() : Map.of("skippedCommands", count.get(), "lastSkippedCommand", latest);
  }
}
