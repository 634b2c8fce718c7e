package dev.tally.runtime.streams;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** How many partitions topics have, as the cluster says now. */
public final class PartitionCounts {

  private static final long TIMEOUT_SECONDS = 15;

  private PartitionCounts() {
  }

  /** The partition count of each topic that exists; a missing topic is absent from the map. */
  public static Map<String, Integer> of(Admin admin, Collection<String> topics) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (var described : admin.describeTopics(topics).topicNameValues().entrySet()) {
      try {
        counts.put(described.getKey(), described.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).partitions().size());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
    }
    return counts;
  }
}
