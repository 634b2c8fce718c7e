package dev.tally.projector.runtime;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The changes one projection has buffered since its last write, coalesced per row, written to
 * PostgreSQL in one go by {@link ProjectionStore}.
 *
 * <p>{@link #write} runs inside the batch transaction, next to the checkpoint; it must be
 * idempotent (replays and duplicates are harmless: version-guarded upserts, history lines keyed
 * by their event) and may be called more than once if the transaction is retried.
 */
public interface ProjectionBatch {

  /** True when no row would change. */
  boolean isEmpty();

  /** Writes every buffered change; returns how many rows changed. Does not commit. */
  long write(Connection connection) throws SQLException;
}
