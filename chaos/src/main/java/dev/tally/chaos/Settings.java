package dev.tally.chaos;

import java.time.Duration;

/**
 * The size of one run: the full form, or {@code --quick} (every fault, shorter quiet stretches and
 * a shorter pause: about a minute of load besides the stack's start and its six recoveries).
 *
 * @param rate commands per second offered, steadily
 * @param accounts how many accounts are opened first (a few more are opened as the load goes on)
 * @param warmUp load before the first fault, at the least: the faults wait for the initial accounts to be open
 * @param settle load after the stack has recovered from one fault, before the next
 * @param pause how long the broker is stopped (SIGSTOP)
 * @param recoveryLimit how long the stack may take to serve again after a restart: a bound against a stack that
 *     never comes back, generous enough for a slow restart on a busy machine
 * @param resolveLimit how long requests without a definite answer are retried at the end
 * @param catchUpLimit how long the read model may take to apply the whole log at the end
 */
record Settings(String mode, double rate, int accounts, Duration warmUp, Duration settle, Duration pause,
    Duration recoveryLimit, Duration resolveLimit, Duration catchUpLimit) {

  static Settings full() {
    return new Settings("full", 150, 400, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(20),
        Duration.ofMinutes(5), Duration.ofMinutes(3), Duration.ofMinutes(3));
  }

  static Settings quick() {
    return new Settings("quick", 100, 200, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofMinutes(5), Duration.ofMinutes(2), Duration.ofMinutes(2));
  }
}
