package dev.tally.analytics;

import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The event time of one partition of the log, told to every downstream partition as a
 * {@link Flow.Watermark} once a second.
 *
 * <p>A partition's events are decided one after the other by its single writer, so their event
 * times rise in log order but for the writer's clock going back: the watermark is the latest event
 * time seen minus {@code grace}. A partition that has delivered nothing for {@link #QUIET} has been
 * read to its end (Kafka Streams fetches every partition it owns), and what is appended to it from
 * now on was decided from now on: its watermark moves to the wall clock minus {@code grace}. That
 * is what lets a window close although some partition has no events at all, and what keeps a
 * partition that is still replaying history holding every window back until it has caught up.
 *
 * <p>Generic: another analytics consumer copies it unchanged and calls {@link #saw} for each record.
 */
final class PartitionClock<V> {

  /** How often the watermark is sent: how soon after it may close a window is closed. */
  static final Duration TICK = Duration.ofSeconds(1);
  /**
   * How long a partition delivers nothing before it counts as read to its end: far longer than a
   * poll, a commit or a collector pause, whatever the grace.
   */
  static final Duration QUIET = Duration.ofSeconds(30);

  private final ProcessorContext<String, Flow<V>> context;
  private final long grace;
  private final int partition;
  private long latest = Long.MIN_VALUE;
  private long lastRecordAt;

  /** Starts ticking: call from the processor's {@code init}. */
  PartitionClock(ProcessorContext<String, Flow<V>> context, Duration grace) {
    this.context = context;
    this.grace = grace.toMillis();
    this.partition = context.taskId().partition();
    this.lastRecordAt = context.currentSystemTimeMs();
    context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
  }

  /** A record was read; {@code eventTime} is its event time, or {@link Long#MIN_VALUE} if it has none. */
  void saw(long eventTime) {
    latest = Math.max(latest, eventTime);
    lastRecordAt = context.currentSystemTimeMs();
  }

  private void tick(long now) {
    long watermark = latest == Long.MIN_VALUE ? Long.MIN_VALUE : latest - grace;
    if (now - lastRecordAt >= QUIET.toMillis()) {
      watermark = Math.max(watermark, now - grace);
    }
    if (watermark >= 0) {
      context.forward(new Record<>(Integer.toString(partition), new Flow.Watermark<>(partition, watermark), watermark));
    }
  }
}
