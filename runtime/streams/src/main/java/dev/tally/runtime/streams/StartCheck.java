package dev.tally.runtime.streams;

import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;

/**
 * A condition a Kafka Streams application must meet before it may process anything, checked
 * against the cluster before every start and restart (see {@link StreamsRuntime}).
 */
@FunctionalInterface
public interface StartCheck {

  /**
   * Why the application must not start now; empty if it may.
   *
   * @throws Exception when the cluster cannot be asked: the check is tried again later
   */
  Optional<String> refusal(Admin admin) throws Exception;
}
