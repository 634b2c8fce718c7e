package dev.tally.projector.runtime;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;

/**
 * The topology of any projection: a plain function of its configuration and its {@link Projection}.
 *
 * <pre>
 *   [events topic] ──▶ &lt;name&gt;-projection ──▶ [dead-letters topic]
 *                           │
 *                     &lt;name&gt;-store ──▶ PostgreSQL (before each offset commit)
 * </pre>
 * The source hands over bytes, never deserialized by Kafka Streams, so no record can fail before
 * the projection sees it.
 */
public final class ProjectionTopology {

  private ProjectionTopology() {
  }

  public static <E> Topology build(ProjectorTopologyConfig config, Projection<E> projection) {
    if (!projection.name().equals(config.projection())) {
      throw new IllegalArgumentException("the configuration is for projection " + config.projection() + ", not "
          + projection.name());
    }
    String source = projection.name() + "-events";
    String processor = projection.name() + "-projection";
    String store = projection.name() + "-store";
    String deadLetters = projection.name() + "-dead-letters";
    Topology topology = new Topology();
    topology.addSource(source, new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.eventsTopic());
    topology.addProcessor(processor, () -> new ProjectionProcessor<>(config, projection, store, deadLetters), source);
    topology.addStateStore(new ProjectionStoreBuilder<>(store, config, projection), processor);
    topology.addSink(deadLetters, config.deadLettersTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
        processor);
    return topology;
  }
}
