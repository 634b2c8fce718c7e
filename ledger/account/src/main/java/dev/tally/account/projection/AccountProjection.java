package dev.tally.account.projection;

import dev.tally.runtime.projection.DeadLetters;
import dev.tally.runtime.projection.EventIdentity;
import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.projection.ProjectionBatch;
import dev.tally.runtime.projection.ProjectionTopology;
import dev.tally.runtime.projection.ProjectorTopologyConfig;
import dev.tally.runtime.projection.ReaderTooOldException;
import dev.tally.runtime.projection.Relation;
import dev.tally.runtime.projection.RejectedRecordException;
import dev.tally.schemas.Aggregates;
import dev.tally.schemas.AvroCodec;
import java.util.List;
import org.apache.kafka.streams.Topology;

/**
 * The account projection: account events into {@code accounts} (current state) and
 * {@code account_transactions} (one line per money event). Everything else (order, versions,
 * parking, dead letters, checkpoints) is the projection runtime's ({@link ProjectionTopology}).
 */
public final class AccountProjection implements Projection<AccountEvent> {

  /** The projection's name: key of its checkpoints, versions and parked keys. */
  public static final String NAME = "accounts";
  /** The projection as this build reads events: with every schema version on its classpath. */
  public static final AccountProjection PROJECTION = new AccountProjection();

  /** The table of accounts' current state. */
  static final String ACCOUNTS = "accounts";
  /** The table of money lines, one per money event. */
  static final String TRANSACTIONS = "account_transactions";

  /** Its tables, as readers see them; the text of a row is the one {@link AccountView} renders. */
  private static final List<Relation> RELATIONS = List.of(
      Relation.verified(ACCOUNTS, "account_id::text", """
          account_id || '|' || owner || '|' || currency || '|' || balance || '|' || status || '|' || version
            || '|' || (extract(epoch FROM opened_at) * 1000000)::bigint || '|' || (extract(epoch FROM updated_at) * 1000000)::bigint"""),
      Relation.verified(TRANSACTIONS, "account_id || '@' || version", """
          account_id || '|' || version || '|' || type || '|' || amount || '|' || balance_after || '|' || reference
            || '|' || (extract(epoch FROM occurred_at) * 1000000)::bigint || '|' || event_id"""),
      Relation.served("transfers"));

  private final AvroCodec codec;

  private AccountProjection() {
    this(AvroCodec.standard());
  }

  AccountProjection(AvroCodec codec) {
    this.codec = codec;
  }

  /** The projection's topology. */
  public static Topology build(ProjectorTopologyConfig config) {
    return ProjectionTopology.build(config, PROJECTION);
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

  @Override
  public AccountView view() {
    return AccountView.VIEW;
  }

  @Override
  public String migrations() {
    return "classpath:db/projection/accounts";
  }

  @Override
  public List<Relation> relations() {
    return RELATIONS;
  }
}
