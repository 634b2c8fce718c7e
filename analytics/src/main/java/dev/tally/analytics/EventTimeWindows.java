package dev.tally.analytics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tumbling event-time windows, summed per key, each published once, when every partition of the
 * log has passed its end.
 *
 * <p>Kafka Streams' own windows close when the task's stream time, the <em>largest</em> timestamp
 * it has seen, passes a window's end plus grace. Behind a repartition, one task receives the
 * records of every partition of the log; in a replay from the earliest offset the partitions are
 * read at different speeds, so the fastest one moves stream time hours ahead and the records of
 * the others are dropped as late: history comes out too small. Here a window closes when the
 * <em>smallest</em> watermark of the log's partitions ({@link PartitionClock}) passes its end; until
 * then its sum waits in a key-value store, whatever the skew between partitions. A replay
 * therefore publishes exactly the sums of the log, however the partitions interleave.
 *
 * <p>An item for a window that is already closed can only come from a writer whose clock went back
 * by more than the grace: it is logged and counted ({@code late-records-total}), not published.
 *
 * <p>Generic: another analytics consumer copies it unchanged and gives it its value's sum.
 *
 * @param <V> the value summed per key and window
 */
final class EventTimeWindows<V> implements Processor<String, Flow<V>, String, EventTimeWindows.Closed<V>> {

  /** One published window (its key is the record's): the sum of the key's values in {@code [start, end)}. */
  record Closed<V>(Instant start, Instant end, V value) {
  }

  /** Metrics group {@code stream-<scope>-metrics}: where the analytics' counters are. */
  static final String METRICS_SCOPE = "tally-analytics";

  private static final Logger log = LoggerFactory.getLogger(EventTimeWindows.class);

  private final long size;
  private final int partitions;
  private final String windowStore;
  private final String watermarkStore;
  private final BinaryOperator<V> sum;
  private ProcessorContext<String, Closed<V>> context;
  private KeyValueStore<String, V> windows;
  private KeyValueStore<Integer, Long> watermarks;
  private Sensor late;
  /** Every window ending at or before this is closed: the smallest watermark, once all partitions sent one. */
  private long closedUpTo = Long.MIN_VALUE;

  /**
   * @param partitions how many partitions the log has: a window closes only once each sent a watermark
   * @param windowStore open windows, by {@link #windowKey}
   * @param watermarkStore the latest watermark of each partition of the log
   */
  EventTimeWindows(Duration size, int partitions, String windowStore, String watermarkStore, BinaryOperator<V> sum) {
    this.size = size.toMillis();
    this.partitions = partitions;
    this.windowStore = windowStore;
    this.watermarkStore = watermarkStore;
    this.sum = sum;
  }

  @Override
  public void init(ProcessorContext<String, Closed<V>> context) {
    this.context = context;
    this.windows = context.getStateStore(windowStore);
    this.watermarks = context.getStateStore(watermarkStore);
    this.late = context.metrics().addRateTotalSensor(METRICS_SCOPE, context.taskId().toString(),
        "late-records", Sensor.RecordingLevel.INFO);
    closedUpTo = smallestWatermark();
  }

  @Override
  public void process(Record<String, Flow<V>> record) {
    switch (record.value()) {
      case Flow.Item<V> item -> add(record.key(), record.timestamp(), item.value());
      case Flow.Watermark<V> watermark -> advance(watermark.partition(), watermark.time());
    }
  }

  private void add(String key, long time, V value) {
    long start = time - Math.floorMod(time, size);
    if (start + size <= closedUpTo) {
      late.record();
      log.warn("not counting {} of {} at {}: its window closed at {}", value, key, Instant.ofEpochMilli(time),
          Instant.ofEpochMilli(start + size));
      return;
    }
    String windowKey = windowKey(start, key);
    V sofar = windows.get(windowKey);
    windows.put(windowKey, sofar == null ? value : sum.apply(sofar, value));
  }

  private void advance(int partition, long time) {
    if (partition < 0 || partition >= partitions) {
      throw new IllegalStateException("a watermark of partition " + partition + " of the log, which has " + partitions
          + " partitions as this application was started: restart it");
    }
    Long before = watermarks.get(partition);
    if (before != null && before >= time) {
      return;
    }
    watermarks.put(partition, time);
    long smallest = smallestWatermark();
    if (smallest > closedUpTo) {
      closedUpTo = smallest;
      publishUpTo(smallest);
    }
  }

  /** Publishes and forgets every window that ends at or before {@code time}, oldest first. */
  private void publishUpTo(long time) {
    List<KeyValue<String, V>> closing = new ArrayList<>();
    try (KeyValueIterator<String, V> open = windows.all()) {
      while (open.hasNext()) {
        KeyValue<String, V> window = open.next();
        if (start(window.key) + size > time) {
          break;
        }
        closing.add(window);
      }
    }
    for (KeyValue<String, V> window : closing) {
      long start = start(window.key);
      String key = window.key.substring(window.key.indexOf('@') + 1);
      context.forward(new Record<>(key, new Closed<>(Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + size),
          window.value), start + size - 1));
      windows.delete(window.key);
    }
  }

  private long smallestWatermark() {
    long smallest = Long.MAX_VALUE;
    int seen = 0;
    try (KeyValueIterator<Integer, Long> all = watermarks.all()) {
      while (all.hasNext()) {
        smallest = Math.min(smallest, all.next().value);
        seen++;
      }
    }
    return seen < partitions ? Long.MIN_VALUE : smallest;
  }

  /** Window start (zero-padded, so the store's byte order is time order), then the key. */
  private static String windowKey(long start, String key) {
    return String.format("%019d@%s", start, key);
  }

  private static long start(String windowKey) {
    return Long.parseLong(windowKey.substring(0, windowKey.indexOf('@')));
  }

  @Override
  public void close() {
    context.metrics().removeSensor(late);
  }
}
