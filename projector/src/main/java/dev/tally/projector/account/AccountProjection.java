package dev.tally.projector.account;

import dev.tally.projector.runtime.DeadLetters;
import dev.tally.projector.runtime.EventIdentity;
import dev.tally.projector.runtime.Projection;
import dev.tally.projector.runtime.ProjectionBatch;
import dev.tally.projector.runtime.ProjectionTopology;
import dev.tally.projector.runtime.ProjectorTopologyConfig;
import dev.tally.projector.runtime.ReaderTooOldException;
import dev.tally.projector.runtime.RejectedRecordException;
import dev.tally.schemas.Aggregates;
import dev.tally.schemas.AvroCodec;
import org.apache.kafka.streams.Topology;

/**
 * The account projection: account events into {@code accounts} (current state) and
 * {@code account_transactions} (one line per money event). Everything else (order, versions,
 * parking, dead letters, checkpoints) is the projection runtime's ({@link ProjectionTopology}).
 */
public final class AccountProjection implements Projection<AccountEvent> {

  /** The projection's name: key of its checkpoints, versions and parked keys. */
  public static final String NAME = "accounts";

  private final AvroCodec codec;

  /** The projection as this build reads events: with every schema version on its classpath. */
  public AccountProjection() {
    this(AvroCodec.standard());
  }

  AccountProjection(AvroCodec codec) {
    this.codec = codec;
  }

  /** The projection's topology. */
  public static Topology build(ProjectorTopologyConfig config) {
    return ProjectionTopology.build(config, new AccountProjection());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String sourceAggregateType() {
    return Aggregates.ACCOUNT;
  }

  @Override
  public AccountEvent read(String key, byte[] value) {
    try {
      AccountEvent event = AccountEvents.fromAvro(codec.decode(value));
      if (!event.accountId().equals(AccountEvents.parseUuid(key))) {
        throw new AccountEvents.InvalidEventException(
            "not an event of account " + key + ": " + key + " is not the event's aggregate id " + event.accountId());
      }
      return event;
    } catch (AvroCodec.UnknownSchemaException e) {
      throw new ReaderTooOldException(e.getMessage(), e);
    } catch (AvroCodec.UndecodableRecordException e) {
      throw new RejectedRecordException(DeadLetters.Reason.UNDECODABLE, e.getMessage(), e);
    } catch (RuntimeException e) {
      // InvalidEventException, and whatever else a readable record that is no valid event makes the mapping throw.
      throw new RejectedRecordException(DeadLetters.Reason.INVALID, e.getMessage(), e);
    }
  }

  @Override
  public EventIdentity identity(AccountEvent event) {
    return new EventIdentity(event.accountId(), event.version(), event.eventId());
  }

  @Override
  public ProjectionBatch<AccountEvent> newBatch() {
    return new AccountBatch();
  }
}
