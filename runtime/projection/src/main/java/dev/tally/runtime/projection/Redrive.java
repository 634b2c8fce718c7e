package dev.tally.runtime.projection;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Re-drives a parked key: applies its records, from the one that parked it up to its partition's
 * checkpoint, through the projection's own code and this build's schemas, and un-parks it, in one
 * database transaction; or first says what it would do (a {@link Plan}) and changes nothing.
 *
 * <p>Why this cannot race the running projector (ADR 0022): the transaction locks the partition's
 * checkpoint row, which every batch of the projector also locks first, so they take turns; the
 * key's records up to that checkpoint are applied here, and any later batch that held records of
 * the key back finds the key no longer parked and replays them from its last committed offset
 * (the projector's part, {@link BatchTransaction}). Records an operator skips are recorded in
 * {@code tally_control.skipped_records}, where every later generation finds them.
 *
 * <p>It refuses (and changes nothing) when a record still fails with this build (it cannot be
 * read, or does not follow the aggregate's version: a skipped event leaves a gap, which is refused
 * too), when the projector has not passed the parked record yet, or when the key's parking changed
 * between the plan and its execution.
 */
public final class Redrive<E> {

  private final DataSource dataSource;
  private final String schema;
  private final int generation;
  private final String topic;
  private final Projection<E> projection;
  private final LogReader reader;
  private final String notifyChannel;

  /**
   * @param reader reads the events topic (a re-drive reads the key's records from it, not from
   *     the dead-letter topic)
   * @param notifyChannel the channel the query API listens on, so that waiting readers see the re-driven events
   */
  public Redrive(DataSource dataSource, String schema, int generation, String topic, Projection<E> projection,
      LogReader reader, String notifyChannel) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.generation = generation;
    this.topic = topic;
    this.projection = projection;
    this.reader = reader;
    this.notifyChannel = notifyChannel;
  }

  /** What a re-drive does with one record of the key. */
  public enum Action {
    /** Applied: the aggregate's next version. */
    APPLY,
    /** Already applied (the same event again): nothing to do. */
    DUPLICATE,
    /** Passed over, as an operator asked (now, or before). */
    SKIP,
    /** Cannot be applied: the re-drive is refused. */
    REFUSE
  }

  /**
   * One record of the key and what happens to it: its version and event type (null when it cannot
   * be read), and the event as read, or why it is skipped or refused.
   */
  public record Step(long offset, Long version, String event, Action action, String detail) {
  }

  /**
   * What a re-drive of a key does: its parked record, the checkpoint it re-drives up to, a step per
   * record of the key in between (and the records), and why it is refused, if it is.
   *
   * @param start what the read model held of the aggregate when the plan was made (null if no record could be read)
   * @param end what it holds once the plan is carried out
   */
  public record Plan(ProjectionTables.ParkedKey parked, long checkpoint, List<Step> steps, Optional<String> refusal,
      List<ConsumerRecord<byte[], byte[]>> records, UUID aggregate, VersionGate.Held start, VersionGate.Held end) {

    public boolean refused() {
      return refusal.isPresent();
    }

    public long count(Action action) {
      return steps.stream().filter(step -> step.action() == action).count();
    }

    Plan refuse(String why) {
      return new Plan(parked, checkpoint, steps, Optional.of(why), records, aggregate, start, end);
    }
  }

  /**
   * The plan for re-driving {@code key}, passing over the records at {@code skip} (offsets of the
   * key's records) as well as those skipped before. Reads the log up to the checkpoint; changes nothing.
   *
   * @return empty if the key is not parked
   */
  public Optional<Plan> plan(String key, Set<Long> skip) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      Optional<ProjectionTables.ParkedKey> parked = ProjectionTables.parkedKey(connection, schema, projection.name(),
          topic, key);
      if (parked.isEmpty()) {
        return Optional.empty();
      }
      long checkpoint = ProjectionTables.checkpoint(connection, schema, projection.name(), topic,
          parked.get().partition()).orElse(-1L);
      Walk walk = new Walk(connection, parked.get(), skipped(connection, parked.get().partition(), skip), skip);
      if (checkpoint < parked.get().offset()) {
        return Optional.of(walk.plan(checkpoint).refuse("the projector has not passed the parked record yet (partition "
            + parked.get().partition() + " is applied up to offset " + checkpoint + ", the key is parked at "
            + parked.get().offset() + "): is it running?"));
      }
      List<ConsumerRecord<byte[], byte[]>> records = records(parked.get(), parked.get().offset(), checkpoint);
      if (records.stream().noneMatch(record -> record.offset() == parked.get().offset())) {
        return Optional.of(walk.plan(checkpoint).refuse("the parked record " + parked.get().partition() + "@"
            + parked.get().offset() + " is not in " + topic + " under this key"));
      }
      for (long offset : skip) {
        if (records.stream().noneMatch(record -> record.offset() == offset)) {
          return Optional.of(walk.plan(checkpoint).refuse("offset " + offset + " is not a record of key " + key
              + " between the parked record (" + parked.get().offset() + ") and the checkpoint (" + checkpoint + ")"));
        }
      }
      walk.over(records);
      return Optional.of(walk.plan(checkpoint));
    }
  }

  /**
   * Carries out a plan, if it still holds: in one transaction that locks the partition's
   * checkpoint, applies the key's records up to the checkpoint as it is then (reading those the
   * plan did not reach), records the skips, un-parks the key and records the action.
   *
   * @param skip the offsets the plan was made to skip
   * @param reason why they are skipped (required when {@code skip} is not empty)
   * @param actor who does it, for the audit trail
   * @return the plan as carried out; if {@link Plan#refused()}, nothing was changed
   */
  public Plan execute(Plan plan, Set<Long> skip, String reason, String actor) throws SQLException {
    if (plan.refused()) {
      return plan;
    }
    ProjectionTables.ParkedKey parked = plan.parked();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        ProjectionTables.searchPath(connection, schema);
        long checkpoint = lockCheckpoint(connection, parked.partition());
        Optional<ProjectionTables.ParkedKey> now = ProjectionTables.parkedKey(connection, schema, projection.name(),
            topic, parked.key());
        if (now.isEmpty() || now.get().offset() != parked.offset()
            || (plan.aggregate() != null && !held(connection, plan.aggregate()).equals(plan.start()))) {
          connection.rollback();
          return plan.refuse("the key changed since the plan was made (re-driven, or parked again); nothing was changed");
        }
        Walk walk = new Walk(connection, parked, skipped(connection, parked.partition(), skip), skip).resume(plan);
        walk.over(records(parked, plan.checkpoint() + 1, checkpoint));
        Plan complete = walk.plan(checkpoint);
        if (complete.refused()) {
          connection.rollback();
          return complete;
        }
        for (long offset : skip) {
          ProjectionTables.skip(connection, projection.name(), topic, parked.partition(), offset, parked.key(), reason,
              actor);
        }
        int applied = apply(connection, complete);
        ProjectionTables.unpark(connection, parked);
        ProjectionTables.recordAction(connection, skip.isEmpty() ? "redrive" : "skip", generation, parked, checkpoint,
            applied, skip.isEmpty() ? null : reason, actor);
        connection.commit();
        return complete;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    }
  }

  /** Applies the plan's APPLY steps through the projection's batch, and the aggregate's new version. */
  private int apply(Connection connection, Plan plan) throws SQLException {
    Set<Long> toApply = new HashSet<>();
    plan.steps().stream().filter(step -> step.action() == Action.APPLY).forEach(step -> toApply.add(step.offset()));
    ProjectionBatch<E> batch = projection.newBatch();
    Map<UUID, EventIdentity> last = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : plan.records()) {
      if (toApply.contains(record.offset())) {
        E event = projection.read(plan.parked().key(), record.value());
        batch.add(event);
        EventIdentity identity = projection.identity(event);
        last.put(identity.aggregateId(), identity);
      }
    }
    if (!batch.isEmpty()) {
      batch.write(connection);
    }
    // The checkpoint does not move (its upsert only moves forward): the projector owns it.
    ProjectionTables.finish(connection, projection.name(), topic, plan.parked().partition(), last, plan.checkpoint(),
        Instant.now().toEpochMilli(), notifyChannel);
    return toApply.size();
  }

  /** Classifies the key's records in log order, from what the read model holds of its aggregate. */
  private final class Walk {
    private final Connection connection;
    private final ProjectionTables.ParkedKey parked;
    private final Set<Long> skipped;
    private final Set<Long> skipNow;
    private final List<Step> steps = new ArrayList<>();
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    private UUID aggregate;
    private VersionGate.Held start;
    private VersionGate.Held held;
    private String refusal;

    Walk(Connection connection, ProjectionTables.ParkedKey parked, Set<Long> skipped, Set<Long> skipNow) {
      this.connection = connection;
      this.parked = parked;
      this.skipped = skipped;
      this.skipNow = skipNow;
    }

    Walk resume(Plan plan) {
      steps.addAll(plan.steps());
      records.addAll(plan.records());
      aggregate = plan.aggregate();
      start = plan.start();
      held = plan.end();
      return this;
    }

    void over(List<ConsumerRecord<byte[], byte[]>> more) throws SQLException {
      for (ConsumerRecord<byte[], byte[]> record : more) {
        if (refusal != null) {
          return;
        }
        records.add(record);
        step(record);
      }
    }

    private void step(ConsumerRecord<byte[], byte[]> record) throws SQLException {
      if (skipped.contains(record.offset())) {
        steps.add(new Step(record.offset(), null, null, Action.SKIP,
            skipNow.contains(record.offset()) ? "skipped now" : "skipped before"));
        return;
      }
      E event;
      try {
        event = projection.read(parked.key(), record.value());
      } catch (RejectedRecordException e) {
        refuse(record.offset(), null, null, "still fails with this build: " + e.reason().label() + ": " + e.getMessage());
        return;
      } catch (ReaderTooOldException e) {
        refuse(record.offset(), null, null, "written with a schema this build does not know: " + e.getMessage());
        return;
      }
      EventIdentity identity = projection.identity(event);
      if (aggregate == null) {
        aggregate = identity.aggregateId();
        start = held(connection, aggregate);
        held = start;
      }
      String name = event.getClass().getSimpleName();
      switch (VersionGate.judge(held, identity)) {
        case VersionGate.Apply apply -> {
          steps.add(new Step(record.offset(), identity.version(), name, Action.APPLY, event.toString()));
          held = VersionGate.Held.of(identity);
        }
        case VersionGate.Duplicate duplicate -> steps.add(new Step(record.offset(), identity.version(), name,
            Action.DUPLICATE, "already applied: " + event));
        case VersionGate.Fault fault -> refuse(record.offset(), identity.version(), name, fault.message());
      }
    }

    private void refuse(long offset, Long version, String event, String why) {
      steps.add(new Step(offset, version, event, Action.REFUSE, why));
      refusal = "record " + parked.partition() + "@" + offset + " cannot be applied: " + why;
    }

    Plan plan(long checkpoint) {
      return new Plan(parked, checkpoint, List.copyOf(steps), Optional.ofNullable(refusal), List.copyOf(records),
          aggregate, start, held);
    }
  }

  private VersionGate.Held held(Connection connection, UUID aggregate) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT version, event_id FROM " + schema
        + ".projected_versions WHERE projection = ? AND aggregate_id = ?")) {
      statement.setString(1, projection.name());
      statement.setObject(2, aggregate);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? new VersionGate.Held(rows.getLong(1), rows.getObject(2, UUID.class))
            : VersionGate.Held.NOTHING;
      }
    }
  }

  private long lockCheckpoint(Connection connection, int partition) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT applied_offset FROM projection_checkpoints"
        + " WHERE projection = ? AND topic = ? AND partition = ? FOR UPDATE")) {
      statement.setString(1, projection.name());
      statement.setString(2, topic);
      statement.setInt(3, partition);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getLong(1) : -1;
      }
    }
  }

  private Set<Long> skipped(Connection connection, int partition, Set<Long> skip) throws SQLException {
    Set<Long> skipped = new HashSet<>(ProjectionTables.skippedRecords(connection, projection.name(), topic)
        .getOrDefault(partition, Set.of()));
    skipped.addAll(skip);
    return skipped;
  }

  /** The key's committed records from {@code from} up to {@code to}, inclusive. */
  private List<ConsumerRecord<byte[], byte[]>> records(ProjectionTables.ParkedKey parked, long from, long to) {
    return reader.recordsOf(new TopicPartition(topic, parked.partition()),
        parked.key().getBytes(StandardCharsets.UTF_8), from, to + 1);
  }
}
