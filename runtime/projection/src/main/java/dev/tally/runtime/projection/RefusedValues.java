package dev.tally.runtime.projection;

import dev.tally.runtime.projection.PendingBatch.Entry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Finds the events whose values the database refuses (a data exception, SQL state class 22, or an
 * integrity violation, class 23: a time out of PostgreSQL's range, say) so that only their keys are
 * parked ({@code refused}) and the rest of the partition goes on: the aggregates that fail alone,
 * found by halving, each try under a savepoint and rolled back, then in each the first event whose
 * addition fails.
 */
final class RefusedValues<E> {

  private final ProjectorTopologyConfig config;
  private final Projection<E> projection;
  private final int partition;

  RefusedValues(ProjectorTopologyConfig config, Projection<E> projection, int partition) {
    this.config = config;
    this.projection = projection;
    this.partition = partition;
  }

  /** A data exception (class 22) or an integrity violation (class 23): the values, not the database. */
  static boolean refusedValue(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  /**
   * The keys to park for the events the database refuses, in a transaction of its own that changes
   * nothing. Nothing when every aggregate fails alone: that is the database, not the data.
   */
  List<ProjectionTables.Parking> isolate(List<Entry<E>> accepted) throws SQLException {
    Map<UUID, List<Entry<E>>> byAggregate = new LinkedHashMap<>();
    accepted.forEach(entry -> byAggregate.computeIfAbsent(entry.identity().aggregateId(), id -> new ArrayList<>())
        .add(entry));
    List<ProjectionTables.Parking> refused = new ArrayList<>();
    try (Connection connection = config.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try {
        ProjectionTables.searchPath(connection, config.schema());
        List<List<Entry<E>>> failing = new ArrayList<>();
        halve(connection, new ArrayList<>(byAggregate.values()), failing);
        if (failing.size() == byAggregate.size() && failing.size() > 1) {
          return List.of();
        }
        for (List<Entry<E>> events : failing) {
          for (int length = 1; length <= events.size(); length++) {
            Optional<SQLException> error = refusal(connection, events.subList(0, length));
            if (error.isPresent()) {
              Entry<E> culprit = events.get(length - 1);
              refused.add(new ProjectionTables.Parking(culprit.key(), partition, culprit.offset(),
                  DeadLetters.Reason.REFUSED.label() + ": SQL state " + error.get().getSQLState() + ": "
                      + DeadLetters.truncate(String.valueOf(error.get().getMessage()).lines().findFirst().orElse(""))));
              break;
            }
          }
        }
      } finally {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    }
    return refused;
  }

  private void halve(Connection connection, List<List<Entry<E>>> aggregates, List<List<Entry<E>>> failing)
      throws SQLException {
    if (refusal(connection, aggregates.stream().flatMap(List::stream).toList()).isEmpty()) {
      return;
    }
    if (aggregates.size() == 1) {
      failing.add(aggregates.getFirst());
      return;
    }
    int half = aggregates.size() / 2;
    halve(connection, aggregates.subList(0, half), failing);
    halve(connection, aggregates.subList(half, aggregates.size()), failing);
  }

  /** The error the database gives these events alone, if a refusal of their values; rolled back either way. */
  private Optional<SQLException> refusal(Connection connection, List<Entry<E>> entries) throws SQLException {
    Savepoint savepoint = connection.setSavepoint();
    try {
      PendingBatch.batchOf(projection, entries).write(connection);
      return Optional.empty();
    } catch (SQLException e) {
      if (refusedValue(e)) {
        return Optional.of(e);
      }
      throw e;
    } finally {
      connection.rollback(savepoint);
    }
  }
}
