package dev.tally.runtime.projection;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The events one write of a projection applies, coalesced per row, written to PostgreSQL in one go.
 *
 * <p>The runtime adds only events that follow what the read model holds: each aggregate's events
 * in order, with contiguous versions, none applied before. {@link #write} runs inside the batch
 * transaction, next to the checkpoint; it may be called more than once if the transaction is
 * retried, so it must be idempotent (version-guarded upserts, history lines keyed by their event).
 *
 * @param <E> the projection's event type
 */
public interface ProjectionBatch<E> {

  /** Adds the next event, in log order. */
  void add(E event);

  /** True when no row would change. */
  boolean isEmpty();

  /** Writes every change; returns how many rows changed. Does not commit. */
  long write(Connection connection) throws SQLException;
}
