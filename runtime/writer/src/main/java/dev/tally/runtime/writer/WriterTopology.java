package dev.tally.runtime.writer;

import dev.tally.runtime.core.Rejection;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The single writer as a Kafka Streams topology: commands in, events and results out, aggregate
 * state and remembered idempotency keys in two state stores. Run with {@code exactly_once_v2},
 * each command's events, results and store updates commit in one Kafka transaction.
 */
public final class WriterTopology {

  static final String SOURCE = "commands";
  static final String PROCESSOR = "decide";
  static final String EVENTS = "events";
  static final String RESULTS = "results";

  private WriterTopology() {
  }

  public static <C, E, S, R extends Rejection> Topology build(WriterSettings settings, AggregateBinding<C, E, S, R> binding, Clock clock,
      SkippedCommands skipped) {
    Topology topology = new Topology();
    topology.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), settings.commandsTopic());
    topology.addProcessor(PROCESSOR, () -> new CommandProcessor<>(settings, binding, clock, skipped), SOURCE);
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(settings.stateStore()), Serdes.String(), Serdes.ByteArray()), PROCESSOR);
    topology.addStateStore(Stores.windowStoreBuilder(
        Stores.persistentWindowStore(settings.idempotencyStore(), settings.idempotencyWindow(), Duration.ofMillis(1), false),
        Serdes.String(), Serdes.ByteArray()), PROCESSOR);
    topology.addSink(EVENTS, settings.eventsTopic(), Serdes.String().serializer(), Serdes.ByteArray().serializer(), PROCESSOR);
    topology.addSink(RESULTS, settings.resultsTopic(), Serdes.String().serializer(), Serdes.ByteArray().serializer(), PROCESSOR);
    return topology;
  }
}
