package dev.tally.runtime.projection;

import java.util.Set;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.processor.TaskId;

/**
 * Makes Kafka Streams replay one task from its last committed offset: the task is closed dirty
 * and initialised again, so its store reads the database again (checkpoint, parked keys, skipped
 * records). Kafka Streams does exactly that for a {@link TaskCorruptedException}, without replacing
 * the stream thread and so without a rebalance under at-least-once (under exactly-once it also
 * rebalances); any other exception from a task replaces its thread, and the group waits for the old
 * member's session to time out (45 s). The runtime throws this whenever a task must redo its work
 * with what the database now says: keys parked when a batch was written, a stale view of what is
 * parked or skipped, a read model that went back, a batch that could not be written.
 */
final class ReplayException extends TaskCorruptedException {

  private final String reason;

  ReplayException(TaskId task, String reason, Throwable cause) {
    super(Set.of(task));
    this.reason = task + ": " + reason;
    if (cause != null) {
      initCause(cause);
    }
  }

  @Override
  public String getMessage() {
    return reason;
  }
}
