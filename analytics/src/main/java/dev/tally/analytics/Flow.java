package dev.tally.analytics;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * What travels through the repartition topic from the tasks that read the log's partitions to the
 * tasks that close windows: an {@link Item} at its event time, keyed as it is aggregated, or a
 * {@link Watermark}, which every downstream partition receives ({@link #partitioner()}).
 *
 * <p>Generic: another analytics consumer copies it unchanged.
 *
 * @param <V> the value that is aggregated
 */
sealed interface Flow<V> permits Flow.Item, Flow.Watermark {

  byte ITEM = 0;
  byte WATERMARK = 1;

  /** A value to aggregate; the record's timestamp is its event time. */
  record Item<V>(V value) implements Flow<V> {
  }

  /**
   * The promise of one partition of the log: it sends no more items whose event time is before
   * {@code time}. A partition's records reach each downstream partition in the order it sent them,
   * so every item it sent before this watermark has arrived when the watermark does.
   */
  record Watermark<V>(int partition, long time) implements Flow<V> {
  }

  /** Items go where their key hashes (the default partitioner); watermarks go to every partition. */
  static <V> StreamPartitioner<String, Flow<V>> partitioner() {
    return (topic, key, value, partitions) -> switch (value) {
      case Item<V> item -> Optional.empty();
      case Watermark<V> watermark -> Optional.of(IntStream.range(0, partitions).boxed().collect(Collectors.toSet()));
    };
  }

  /** Tag byte {@value #ITEM} and the item's bytes, or tag byte {@value #WATERMARK}, the partition and the time. */
  static <V> Serde<Flow<V>> serde(Serde<V> items) {
    Serializer<Flow<V>> serializer = (topic, flow) -> switch (flow) {
      case null -> null;
      case Item<V> item -> {
        byte[] value = items.serializer().serialize(topic, item.value());
        yield ByteBuffer.allocate(1 + value.length).put(ITEM).put(value).array();
      }
      case Watermark<V> watermark -> ByteBuffer.allocate(1 + Integer.BYTES + Long.BYTES).put(WATERMARK)
          .putInt(watermark.partition()).putLong(watermark.time()).array();
    };
    Deserializer<Flow<V>> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length > 0 && bytes[0] == ITEM) {
        return new Item<>(items.deserializer().deserialize(topic, Arrays.copyOfRange(bytes, 1, bytes.length)));
      }
      if (bytes.length == 1 + Integer.BYTES + Long.BYTES && bytes[0] == WATERMARK) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        return new Watermark<>(buffer.getInt(), buffer.getLong());
      }
      throw new SerializationException("not a flow record (" + bytes.length + " bytes)");
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
