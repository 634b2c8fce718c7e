package dev.tally.runtime.projection;

import dev.tally.runtime.projection.ReadModelSchemas;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The runtime's own tables, the same for every projection: in each read-model schema
 * {@code projection_checkpoints} (how far each partition is applied), {@code projected_versions}
 * (each aggregate's last applied version and event id) and {@code parked_keys}; in
 * {@code tally_control}, {@code skipped_records} (records an operator chose to pass over, honoured by
 * every generation) and {@code dead_letter_actions} (what operators did about parked keys).
 * Statements expect {@code search_path} set to the read-model schema, except where a schema is passed.
 */
public final class ProjectionTables {

  private static final String SKIPPED = ReadModelSchemas.CONTROL + ".skipped_records";
  private static final String ACTIONS = ReadModelSchemas.CONTROL + ".dead_letter_actions";

  private ProjectionTables() {
  }

  /** A key whose records are held back, and why. */
  public record ParkedKey(String projection, String topic, String key, int partition, long offset, String kind,
      String reason, Instant parkedAt, String parkedBy) {
  }

  /** A key to park: from the record at {@code offset} on, its records are held back. */
  record Parking(String key, int partition, long offset, String reason) {
  }

  /** What a task needs to know when it starts: its checkpoint, its parked keys and the records to skip. */
  record TaskState(long checkpoint, Map<String, ParkedKey> parked, Set<Long> skipped) {
  }

  /**
   * What a batch is checked against, read (and the checkpoint row locked) at the start of its
   * transaction: the checkpoint, what the read model holds of the batch's aggregates, which of the
   * batch's keys are parked, and which of its offsets an operator skipped.
   */
  record Snapshot(long checkpoint, Map<UUID, VersionGate.Held> held, Map<String, Long> parked, Set<Long> skipped) {
  }

  static TaskState load(Connection connection, String schema, String projection, String topic, int partition)
      throws SQLException {
    long checkpoint = checkpoint(connection, schema, projection, topic, partition).orElse(-1L);
    Map<String, ParkedKey> parked = new HashMap<>();
    for (ParkedKey key : parkedKeys(connection, schema, projection, topic)) {
      if (key.partition() == partition) {
        parked.put(key.key(), key);
      }
    }
    Set<Long> skipped = skippedRecords(connection, projection, topic).getOrDefault(partition, Set.of());
    return new TaskState(checkpoint, parked, skipped);
  }

  /** The applied offset of one partition, if anything of it is applied. */
  public static Optional<Long> checkpoint(Connection connection, String schema, String projection, String topic,
      int partition) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT applied_offset FROM "
        + ReadModelSchemas.requireIdentifier(schema, "schema")
        + ".projection_checkpoints WHERE projection = ? AND topic = ? AND partition = ?")) {
      statement.setString(1, projection);
      statement.setString(2, topic);
      statement.setInt(3, partition);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
      }
    }
  }

  /**
   * One statement: locks the partition's checkpoint row (so that writers of a partition, the
   * projector's batches and a re-drive, take turns) and reads everything a batch is classified with.
   */
  static Snapshot snapshot(Connection connection, String projection, String topic, int partition,
      Collection<UUID> aggregates, Collection<String> keys, long firstOffset, long lastOffset) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("""
        WITH checkpoint AS (
          SELECT applied_offset FROM projection_checkpoints
           WHERE projection = ? AND topic = ? AND partition = ? FOR UPDATE)
        SELECT 'c', NULL::uuid, NULL::text, applied_offset, NULL::uuid FROM checkpoint
        UNION ALL
        SELECT 'v', aggregate_id, NULL, version, event_id FROM projected_versions
         WHERE projection = ? AND aggregate_id = ANY(?)
        UNION ALL
        SELECT 'p', NULL, record_key, parked_offset, NULL FROM parked_keys
         WHERE projection = ? AND topic = ? AND record_key = ANY(?)
        UNION ALL
        SELECT 's', NULL, NULL, record_offset, NULL FROM %s
         WHERE projection = ? AND topic = ? AND partition = ? AND record_offset BETWEEN ? AND ?""".formatted(SKIPPED))) {
      statement.setString(1, projection);
      statement.setString(2, topic);
      statement.setInt(3, partition);
      statement.setString(4, projection);
      statement.setArray(5, connection.createArrayOf("uuid", aggregates.toArray()));
      statement.setString(6, projection);
      statement.setString(7, topic);
      statement.setArray(8, connection.createArrayOf("text", keys.toArray()));
      statement.setString(9, projection);
      statement.setString(10, topic);
      statement.setInt(11, partition);
      statement.setLong(12, firstOffset);
      statement.setLong(13, lastOffset);
      long checkpoint = -1;
      Map<UUID, VersionGate.Held> held = new HashMap<>();
      Map<String, Long> parked = new HashMap<>();
      Set<Long> skipped = new HashSet<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          switch (rows.getString(1)) {
            case "c" -> checkpoint = rows.getLong(4);
            case "v" -> held.put(rows.getObject(2, UUID.class),
                new VersionGate.Held(rows.getLong(4), rows.getObject(5, UUID.class)));
            case "p" -> parked.put(rows.getString(3), rows.getLong(4));
            default -> skipped.add(rows.getLong(4));
          }
        }
      }
      return new Snapshot(checkpoint, held, parked, skipped);
    }
  }

  /**
   * One statement: the aggregates' new versions, the partition's checkpoint (only ever forward) and
   * the notification readers wait for (delivered when the transaction commits).
   */
  static void finish(Connection connection, String projection, String topic, int partition,
      Map<UUID, EventIdentity> applied, long offset, long timestamp, String channel) throws SQLException {
    int n = applied.size();
    UUID[] ids = new UUID[n];
    Long[] versions = new Long[n];
    UUID[] events = new UUID[n];
    int i = 0;
    for (EventIdentity event : applied.values()) {
      ids[i] = event.aggregateId();
      versions[i] = event.version();
      events[i] = event.eventId();
      i++;
    }
    try (PreparedStatement statement = connection.prepareStatement("""
        WITH versions AS (
          INSERT INTO projected_versions (projection, aggregate_id, version, event_id)
          SELECT ?, u.id, u.version, u.event_id FROM unnest(?::uuid[], ?::int8[], ?::uuid[]) AS u(id, version, event_id)
          ON CONFLICT (aggregate_id, projection) DO UPDATE
            SET version = EXCLUDED.version, event_id = EXCLUDED.event_id
            WHERE projected_versions.version < EXCLUDED.version),
        checkpoint AS (
          INSERT INTO projection_checkpoints (projection, topic, partition, applied_offset, last_event_timestamp, updated_at)
          VALUES (?, ?, ?, ?, ?, now())
          ON CONFLICT (projection, topic, partition) DO UPDATE
            SET applied_offset = EXCLUDED.applied_offset,
                last_event_timestamp = EXCLUDED.last_event_timestamp,
                updated_at = EXCLUDED.updated_at
            WHERE projection_checkpoints.applied_offset < EXCLUDED.applied_offset)
        SELECT pg_notify(?, ?)""")) {
      statement.setString(1, projection);
      statement.setArray(2, connection.createArrayOf("uuid", ids));
      statement.setArray(3, connection.createArrayOf("int8", versions));
      statement.setArray(4, connection.createArrayOf("uuid", events));
      statement.setString(5, projection);
      statement.setString(6, topic);
      statement.setInt(7, partition);
      statement.setLong(8, offset);
      statement.setTimestamp(9, Timestamp.from(Instant.ofEpochMilli(Math.max(0, timestamp))));
      statement.setString(10, channel);
      statement.setString(11, projection + " " + partition + ":" + offset);
      statement.execute();
    }
  }

  /** Parks keys (a key parked already keeps its first parking); returns how many were parked now. */
  static long park(Connection connection, String projection, String topic, String parkedBy, List<Parking> parkings)
      throws SQLException {
    if (parkings.isEmpty()) {
      return 0;
    }
    try (PreparedStatement statement = connection.prepareStatement("""
        INSERT INTO parked_keys (projection, topic, record_key, partition, parked_offset, reason, parked_at, parked_by)
        VALUES (?, ?, ?, ?, ?, ?, now(), ?)
        ON CONFLICT (projection, topic, record_key) DO NOTHING""")) {
      for (Parking parking : parkings) {
        statement.setString(1, projection);
        statement.setString(2, topic);
        statement.setString(3, parking.key());
        statement.setInt(4, parking.partition());
        statement.setLong(5, parking.offset());
        statement.setString(6, parking.reason());
        statement.setString(7, parkedBy);
        statement.addBatch();
      }
      long parked = 0;
      for (int count : statement.executeBatch()) {
        parked += Math.max(count, 0);
      }
      return parked;
    }
  }

  /** Every parked key of a projection in a read-model schema, by partition and offset. */
  public static List<ParkedKey> parkedKeys(Connection connection, String schema, String projection, String topic)
      throws SQLException {
    return selectParked(connection, schema, "projection = ? AND topic = ? ORDER BY partition, parked_offset",
        projection, topic);
  }

  /** One parked key, if it is parked. */
  public static Optional<ParkedKey> parkedKey(Connection connection, String schema, String projection, String topic,
      String key) throws SQLException {
    return selectParked(connection, schema, "projection = ? AND topic = ? AND record_key = ?", projection, topic, key)
        .stream().findFirst();
  }

  private static List<ParkedKey> selectParked(Connection connection, String schema, String where, String... values)
      throws SQLException {
    List<ParkedKey> keys = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement("SELECT projection, topic, record_key, partition,"
        + " parked_offset, kind, reason, parked_at, parked_by FROM " + ReadModelSchemas.requireIdentifier(schema, "schema")
        + ".parked_keys WHERE " + where)) {
      for (int i = 0; i < values.length; i++) {
        statement.setString(i + 1, values[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          keys.add(new ParkedKey(rows.getString(1), rows.getString(2), rows.getString(3), rows.getInt(4), rows.getLong(5),
              rows.getString(6), rows.getString(7), rows.getTimestamp(8).toInstant(), rows.getString(9)));
        }
      }
    }
    return keys;
  }

  /** How many keys a projection has parked in a read-model schema, by kind ({@code gap}, {@code undecodable}, ...). */
  public static Map<String, Integer> parkedByKind(Connection connection, String schema, String projection)
      throws SQLException {
    Map<String, Integer> kinds = new TreeMap<>();
    try (PreparedStatement statement = connection.prepareStatement("SELECT kind, count(*) FROM "
        + ReadModelSchemas.requireIdentifier(schema, "schema") + ".parked_keys WHERE projection = ? GROUP BY kind")) {
      statement.setString(1, projection);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          kinds.put(rows.getString(1), rows.getInt(2));
        }
      }
    }
    return kinds;
  }

  /** The records an operator skipped, offsets by partition: every generation passes over them. */
  public static Map<Integer, Set<Long>> skippedRecords(Connection connection, String projection, String topic)
      throws SQLException {
    Map<Integer, Set<Long>> skipped = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT partition, record_offset FROM " + SKIPPED + " WHERE projection = ? AND topic = ?")) {
      statement.setString(1, projection);
      statement.setString(2, topic);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          skipped.computeIfAbsent(rows.getInt(1), partition -> new TreeSet<>()).add(rows.getLong(2));
        }
      }
    }
    return skipped;
  }

  static void skip(Connection connection, String projection, String topic, int partition, long offset, String key,
      String reason, String actor) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("INSERT INTO " + SKIPPED
        + " (projection, topic, partition, record_offset, record_key, reason, skipped_at, skipped_by)"
        + " VALUES (?, ?, ?, ?, ?, ?, now(), ?)")) {
      statement.setString(1, projection);
      statement.setString(2, topic);
      statement.setInt(3, partition);
      statement.setLong(4, offset);
      statement.setString(5, key);
      statement.setString(6, reason);
      statement.setString(7, actor);
      statement.executeUpdate();
    }
  }

  /** Records what an operator did about a parked key: the audit trail of re-drives and skips. */
  static void recordAction(Connection connection, String action, int generation, ParkedKey parked, long toOffset,
      int applied, String note, String actor) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("INSERT INTO " + ACTIONS
        + " (action, projection, topic, generation, record_key, partition, from_offset, to_offset, applied, reason,"
        + " note, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      statement.setString(1, action);
      statement.setString(2, parked.projection());
      statement.setString(3, parked.topic());
      statement.setInt(4, generation);
      statement.setString(5, parked.key());
      statement.setInt(6, parked.partition());
      statement.setLong(7, parked.offset());
      statement.setLong(8, toOffset);
      statement.setInt(9, applied);
      statement.setString(10, parked.reason());
      statement.setString(11, note);
      statement.setString(12, actor);
      statement.executeUpdate();
    }
  }

  static void unpark(Connection connection, ParkedKey parked) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "DELETE FROM parked_keys WHERE projection = ? AND topic = ? AND record_key = ?")) {
      statement.setString(1, parked.projection());
      statement.setString(2, parked.topic());
      statement.setString(3, parked.key());
      statement.executeUpdate();
    }
  }

  static void searchPath(Connection connection, String schema) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET LOCAL search_path TO " + ReadModelSchemas.requireIdentifier(schema, "schema"));
    }
  }
}
