package dev.tally.runtime.projection;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A second aggregate type, as small as a projection gets: a toy whose events set its value. Its
 * records are text ({@code version|eventId|value}, keyed by toy id) on its own events topic, into
 * its own table {@code toys}. It proves the runtime serves any projection, not only the ledger's.
 */
public final class ToyProjection implements Projection<ToyProjection.ToyEvent> {

  public static final String NAME = "toys";
  public static final String AGGREGATE_TYPE = "toy";
  public static final ToyProjection PROJECTION = new ToyProjection();

  /** One event of a toy: it now has {@code value}. */
  public record ToyEvent(UUID toyId, long version, UUID eventId, long value) {
  }

  /** A toy's row; version 0 before its first event. */
  public record Toy(UUID toyId, long value, long version) {
  }

  /** The one fold of a toy's events into its row. */
  static final ProjectionView<ToyEvent, Toy> VIEW = new ProjectionView<>() {
    @Override
    public Toy initialState() {
      return new Toy(null, 0, 0);
    }

    @Override
    public Toy evolve(Toy toy, ToyEvent event) {
      return event.version() <= toy.version() ? toy : new Toy(event.toyId(), event.value(), event.version());
    }

    @Override
    public List<Row> rows(Toy toy) {
      return toy.version() == 0 ? List.of()
          : List.of(new Row(NAME, toy.toyId().toString(), toy.toyId() + "|" + toy.value() + "|" + toy.version()));
    }
  };

  /** The record of an event, as its producer writes it. */
  public static byte[] record(long version, UUID eventId, long value) {
    return (version + "|" + eventId + "|" + value).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String sourceAggregateType() {
    return AGGREGATE_TYPE;
  }

  @Override
  public ToyEvent read(String key, byte[] value) {
    String[] fields = new String(value, StandardCharsets.UTF_8).split("\\|");
    try {
      if (fields.length != 3) {
        throw new IllegalArgumentException("not version|eventId|value");
      }
      return new ToyEvent(UUID.fromString(key), Long.parseLong(fields[0]), UUID.fromString(fields[1]),
          Long.parseLong(fields[2]));
    } catch (RuntimeException e) {
      throw new RejectedRecordException(DeadLetters.Reason.UNDECODABLE, "not a toy event: " + e.getMessage(), e);
    }
  }

  @Override
  public EventIdentity identity(ToyEvent event) {
    return new EventIdentity(event.toyId(), event.version(), event.eventId());
  }

  @Override
  public ProjectionBatch<ToyEvent> newBatch() {
    return new ProjectionBatch<>() {
      private final Map<UUID, Toy> toys = new TreeMap<>();

      @Override
      public void add(ToyEvent event) {
        toys.put(event.toyId(), VIEW.evolve(toys.getOrDefault(event.toyId(), VIEW.initialState()), event));
      }

      @Override
      public boolean isEmpty() {
        return toys.isEmpty();
      }

      @Override
      public long write(Connection connection) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("""
            INSERT INTO toys (toy_id, value, version)
            SELECT * FROM unnest(?::uuid[], ?::bigint[], ?::bigint[])
            ON CONFLICT (toy_id) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version
              WHERE toys.version < EXCLUDED.version""")) {
          Array ids = connection.createArrayOf("uuid", toys.keySet().toArray());
          upsert.setArray(1, ids);
          upsert.setArray(2, connection.createArrayOf("bigint", toys.values().stream().map(Toy::value).toArray()));
          upsert.setArray(3, connection.createArrayOf("bigint", toys.values().stream().map(Toy::version).toArray()));
          return upsert.executeUpdate();
        }
      }
    };
  }

  @Override
  public ProjectionView<ToyEvent, Toy> view() {
    return VIEW;
  }

  @Override
  public String migrations() {
    return "classpath:db/projection/toys";
  }

  @Override
  public List<Relation> relations() {
    return List.of(Relation.verified(NAME, "toy_id::text", "toy_id || '|' || value || '|' || version"));
  }
}
