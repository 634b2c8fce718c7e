package dev.tally.analytics;

import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Money volume per currency per window (default one minute), final results only.
 *
 * <pre>
 * tally.account-events (key account id, Avro bytes)
 *   └─ resolve-currency: decode; remember the currency of each opened account (store account-currency);
 *                        money event -&gt; (currency, Volume) at event time metadata.occurredAt; skip poison
 *   └─ repartition by currency (topic &lt;application.id&gt;-volume-by-currency-repartition)
 *   └─ tumbling windows with grace; reduce (store volume-per-currency-window)
 *   └─ suppress until the window closes (window end + grace &lt;= stream time)
 *   └─ tally.analytics.volume-per-currency-minute (key "EUR@2026-11-24T10:15:00Z", value JSON)
 * </pre>
 */
public final class VolumeTopology {

  public static final String CURRENCY_STORE = "account-currency";
  public static final String WINDOW_STORE = "volume-per-currency-window";
  public static final String REPARTITION = "volume-by-currency";

  private VolumeTopology() {
  }

  public static Topology build(VolumeConfig config) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(CURRENCY_STORE), Serdes.String(), Serdes.String()));

    builder.stream(config.eventsTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("account-events"))
        .process(() -> new CurrencyResolver(CURRENCY_STORE), Named.as("resolve-currency"), CURRENCY_STORE)
        .groupByKey(Grouped.with(REPARTITION, Serdes.String(), Volume.SERDE))
        .windowedBy(TimeWindows.ofSizeAndGrace(config.window(), config.grace()))
        .reduce(Volume::plus, Named.as("sum-volume"),
            Materialized.<String, Volume, WindowStore<Bytes, byte[]>>as(WINDOW_STORE)
                .withKeySerde(Serdes.String())
                .withValueSerde(Volume.SERDE))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("until-window-closes"))
        .toStream(Named.as("closed-windows"))
        .map((window, volume) -> {
          Instant start = window.window().startTime();
          VolumeResult result = VolumeResult.of(window.key(), start, window.window().endTime(), volume);
          return KeyValue.pair(result.key(), result.toJson());
        }, Named.as("to-json"))
        .to(config.outputTopic(), Produced.with(Serdes.String(), Serdes.String()).withName("volume-output"));
    return builder.build();
  }
}
