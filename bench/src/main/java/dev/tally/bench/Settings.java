package dev.tally.bench;

import java.time.Duration;

/** Sizes and durations of one run: the full run (about 10 to 15 minutes) or {@code --quick} (a few minutes). */
record Settings(
    String mode,
    long kafkaRecords,
    long copyRows,
    int selectAccounts,
    Duration selectDuration,
    long prefillEvents,
    int prefillAccounts,
    int ingestAccounts,
    Duration warmUp,
    Duration closedDuration,
    Duration openDuration,
    Duration queryClosedDuration,
    Duration e2eDuration,
    Duration projectionLimit,
    Duration rebuildLimit) {

  /** Closed-loop client counts for ingest: the brief's 64, and more, since a command waits for a commit. */
  static final int[] INGEST_WORKERS = {64, 256};
  static final double INGEST_OPEN_RATE = 2_000;
  /** Open loops need more connections than rate x latency, or requests queue in the client. */
  static final int INGEST_OPEN_WORKERS = 512;
  static final double E2E_RATE = 1_000;
  static final int E2E_WORKERS = 512;
  static final int[] QUERY_WORKERS = {16, 64};
  static final int QUERY_OPEN_WORKERS = 64;
  static final int OPEN_ACCOUNT_WORKERS = 128;

  static Settings full() {
    return new Settings("full", 1_000_000, 1_000_000, 100_000, Duration.ofSeconds(10), 1_000_000, 10_000, 10_000,
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(15),
        Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(5));
  }

  static Settings quick() {
    return new Settings("quick", 200_000, 200_000, 20_000, Duration.ofSeconds(3), 200_000, 10_000, 2_000,
        Duration.ofSeconds(3), Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofSeconds(5),
        Duration.ofSeconds(8), Duration.ofMinutes(3), Duration.ofMinutes(3));
  }
}
