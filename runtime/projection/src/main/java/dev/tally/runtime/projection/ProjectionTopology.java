package dev.tally.runtime.projection;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** A projection and the configuration it runs with. */
  public record Projected<E>(ProjectorTopologyConfig config, Projection<E> projection) {

    public Projected {
      if (!projection.name().equals(config.projection())) {
        throw new IllegalArgumentException("the configuration is for projection " + config.projection() + ", not "
            + projection.name());
      }
    }
  }

  /** The topology of one projection. */
  public static <E> Topology build(ProjectorTopologyConfig config, Projection<E> projection) {
    return build(List.of(new Projected<>(config, projection)));
  }

  /**
   * One topology running every projection: a sub-topology per events topic, whose source feeds the
   * processor of each projection reading it (a topic is read once however many projections read it).
   */
  public static Topology build(List<Projected<?>> projections) {
    Topology topology = new Topology();
    Map<String, String> sources = new HashMap<>();
    Set<String> names = new HashSet<>();
    for (Projected<?> projected : projections) {
      if (!names.add(projected.projection().name())) {
        throw new IllegalArgumentException("two projections are named " + projected.projection().name());
      }
      add(topology, sources, projected);
    }
    return topology;
  }

  private static <E> void add(Topology topology, Map<String, String> sources, Projected<E> projected) {
    ProjectorTopologyConfig config = projected.config();
    Projection<E> projection = projected.projection();
    String source = sources.get(config.eventsTopic());
    if (source == null) {
      source = projection.name() + "-events";
      sources.put(config.eventsTopic(), source);
      topology.addSource(source, new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.eventsTopic());
    }
    String processor = projection.name() + "-projection";
    String store = projection.name() + "-store";
    String deadLetters = projection.name() + "-dead-letters";
    topology.addProcessor(processor, () -> new ProjectionProcessor<>(config, projection, store, deadLetters), source);
    topology.addStateStore(new ProjectionStoreBuilder<>(store, config, projection), processor);
    topology.addSink(deadLetters, config.deadLettersTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
        processor);
  }
}
