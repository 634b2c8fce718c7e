package dev.tally.runtime.projection;

import java.time.Duration;
import org.apache.kafka.streams.errors.StreamsException;

/** Pauses a stream or writer thread; an interruption fails the task rather than being lost. */
final class Pause {

  private Pause() {
  }

  static void of(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StreamsException("interrupted while pausing", e);
    }
  }
}
