package dev.tally.projector.account;

import dev.tally.projector.runtime.ProjectionStore;
import dev.tally.projector.runtime.ProjectorTopologyConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;

/**
 * The account projection: account events into {@code accounts} (current state) and
 * {@code account_transactions} (one line per money event).
 *
 * <pre>
 *   [events topic] ──▶ account-projection ──▶ [dead-letters topic]
 *                           │
 *                     account-projection-store ──▶ PostgreSQL (before each offset commit)
 * </pre>
 */
public final class AccountProjection {

  /** The projection's name: key of its checkpoints and parked keys. */
  public static final String NAME = "accounts";
  static final String SOURCE = "account-events";
  static final String PROCESSOR = "account-projection";
  static final String STORE = "account-projection-store";
  static final String DEAD_LETTERS = "dead-letters";

  private AccountProjection() {
  }

  public static Topology build(ProjectorTopologyConfig config) {
    Topology topology = new Topology();
    topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.eventsTopic());
    topology.addProcessor(PROCESSOR, () -> new AccountProjector(config), SOURCE);
    topology.addStateStore(ProjectionStore.builder(STORE, config, AccountBatch::new), PROCESSOR);
    topology.addSink(DEAD_LETTERS, config.deadLettersTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
        PROCESSOR);
    return topology;
  }
}
