package dev.tally.runtime.projection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads ranges of a topic's partitions outside any consumer group, as a {@code read_committed}
 * consumer sees them (no aborted records, no transaction markers): where a projection resumes,
 * how far behind it is, what a parked key's records are. Not thread-safe: one per thread.
 */
public final class LogReader implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Duration patience;

  /**
   * @param patience how long a read may go without receiving anything before it gives up
   *     ({@link TimeoutException})
   */
  public LogReader(String bootstrapServers, String clientId, Duration patience) {
    this.patience = patience;
    this.consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50,
        ConsumerConfig.CLIENT_ID_CONFIG, clientId),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * The first committed record of the partition at or after {@code from} and before {@code to}, if
   * there is one.
   *
   * @throws TimeoutException if the partition cannot be read that far within the patience
   */
  public Optional<ConsumerRecord<byte[], byte[]>> first(TopicPartition partition, long from, long to) {
    List<ConsumerRecord<byte[], byte[]>> found = read(partition, from, to, null, 1);
    return found.stream().findFirst();
  }

  /**
   * Every committed record of the partition with this key, from {@code from} up to (excluding)
   * {@code to}, in log order.
   *
   * @throws TimeoutException if the partition cannot be read that far within the patience
   */
  public List<ConsumerRecord<byte[], byte[]>> recordsOf(TopicPartition partition, byte[] key, long from, long to) {
    return read(partition, from, to, key, Integer.MAX_VALUE);
  }

  private List<ConsumerRecord<byte[], byte[]>> read(TopicPartition partition, long from, long to, byte[] key,
      int limit) {
    List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
    if (from >= to) {
      return found;
    }
    consumer.assign(List.of(partition));
    consumer.seek(partition, from);
    long lastProgress = System.nanoTime();
    while (consumer.position(partition) < to) {
      List<ConsumerRecord<byte[], byte[]>> records = consumer.poll(POLL).records(partition);
      if (!records.isEmpty()) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > patience.toNanos()) {
        throw new TimeoutException("cannot read " + partition + " from offset " + consumer.position(partition)
            + " up to " + to + " within " + patience.toMillis() + " ms");
      }
      for (ConsumerRecord<byte[], byte[]> record : records) {
        if (record.offset() >= to) {
          return found;
        }
        if (key == null || Arrays.equals(key, record.key())) {
          found.add(record);
          if (found.size() >= limit) {
            return found;
          }
        }
      }
    }
    return found;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
