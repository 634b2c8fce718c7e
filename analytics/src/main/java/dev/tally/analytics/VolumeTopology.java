package dev.tally.analytics;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Money volume per currency per window (default one minute) of event time, final results only.
 *
 * <pre>
 * tally.account-events (key account id, Avro bytes), one task per partition
 *   └─ resolve-currency: remember the currency of each opened account (store account-currency);
 *                        money event -&gt; (currency, Volume) at event time metadata.occurredAt;
 *                        once a second, the partition's watermark to every downstream partition
 *   └─ repartition by currency (topic &lt;application.id&gt;-volume-by-currency-repartition)
 *   └─ close-windows: sum per currency and window (store volume-per-currency-window); publish a
 *                     window once the smallest watermark of the log's partitions has passed its end
 *                     (store log-watermarks)
 *   └─ tally.analytics.volume-per-currency-minute (key "EUR@2026-11-24T10:15:00Z", value JSON)
 * </pre>
 *
 * <p>Why not Kafka Streams' windowed aggregation: see {@link EventTimeWindows} (ADR 24).
 */
public final class VolumeTopology {

  public static final String CURRENCY_STORE = "account-currency";
  public static final String WINDOW_STORE = "volume-per-currency-window";
  public static final String WATERMARK_STORE = "log-watermarks";
  public static final String REPARTITION = "volume-by-currency";

  private VolumeTopology() {
  }

  /** @param partitions the partition count of the events topic */
  public static Topology build(VolumeConfig config, int partitions) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(CURRENCY_STORE), Serdes.String(), Serdes.String()));
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(WINDOW_STORE), Serdes.String(), Volume.SERDE));
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(WATERMARK_STORE), Serdes.Integer(), Serdes.Long()));

    builder.stream(config.eventsTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("account-events"))
        .process(() -> new CurrencyResolver(CURRENCY_STORE, config.grace()), Named.as("resolve-currency"), CURRENCY_STORE)
        .repartition(Repartitioned.<String, Flow<Volume>>with(Serdes.String(), Flow.serde(Volume.SERDE))
            .withName(REPARTITION)
            .withStreamPartitioner(Flow.partitioner()))
        .process(() -> new EventTimeWindows<>(config.window(), partitions, WINDOW_STORE, WATERMARK_STORE, Volume::plus),
            Named.as("close-windows"), WINDOW_STORE, WATERMARK_STORE)
        .map((currency, window) -> {
          VolumeResult result = VolumeResult.of(currency, window.start(), window.end(), window.value());
          return KeyValue.pair(result.key(), result.toJson());
        }, Named.as("to-json"))
        .to(config.outputTopic(), Produced.with(Serdes.String(), Serdes.String()).withName("volume-output"));
    return builder.build();
  }
}
