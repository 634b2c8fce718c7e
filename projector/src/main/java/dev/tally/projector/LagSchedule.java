package dev.tally.projector;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;

/** Measures every projection's lag on one background thread, every {@code tally.projector.lag-interval}. */
class LagSchedule implements SmartLifecycle {

  private final ProjectionLags lags;
  private final Duration interval;
  private ScheduledExecutorService executor;

  LagSchedule(ProjectionLags lags, Duration interval) {
    this.lags = lags;
    this.interval = interval;
  }

  @Override
  public synchronized void start() {
    executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("projection-lag").daemon().factory());
    executor.scheduleWithFixedDelay(lags::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (executor != null) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      executor = null;
    }
  }

  @Override
  public boolean isRunning() {
    return executor != null;
  }
}
