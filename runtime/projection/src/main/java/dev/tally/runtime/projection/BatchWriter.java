package dev.tally.runtime.projection;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's writer thread: writes its batches in the background while the stream thread decodes
 * the next ones, so that PostgreSQL and the JVM work at the same time. At most one batch is in
 * flight, and a task's batches are written one after the other, in order.
 *
 * <p>A failed write fails the writer for good: every later call throws, so no commit of the task
 * can pretend the lost batch was written, and no offset past it is ever committed. Kafka Streams
 * then closes the task dirty and opens it again, with a new writer.
 */
final class BatchWriter<E> {

  private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);

  private final TaskId taskId;
  private final BatchTransaction<E> transaction;
  private final ProjectionMetrics metrics;
  private final ExecutorService thread;
  private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
  private RuntimeException failure;

  BatchWriter(String storeName, TaskId taskId, BatchTransaction<E> transaction, ProjectionMetrics metrics) {
    this.taskId = taskId;
    this.transaction = transaction;
    this.metrics = metrics;
    this.thread = Executors.newSingleThreadExecutor(
        Thread.ofPlatform().name("projection-writer-" + storeName + "-" + taskId).daemon().factory());
  }

  /** Starts writing a batch once the previous one is written. */
  void submit(PendingBatch<E> pending) {
    awaitWritten();
    inFlight = CompletableFuture.runAsync(() -> {
      long started = System.nanoTime();
      long rows = transaction.write(pending);
      metrics.batchWritten(pending.handled, rows, System.nanoTime() - started);
      log.debug("{}: wrote {} records ({} rows) in {} µs", taskId, pending.handled, rows,
          (System.nanoTime() - started) / 1000);
    }, thread);
  }

  /** Waits for the batch in flight; throws if it, or any earlier one, failed. */
  void awaitWritten() {
    if (failure != null) {
      throw failure;
    }
    try {
      inFlight.join();
    } catch (CompletionException e) {
      failure = e.getCause() instanceof StreamsException streams ? streams
          : new ReplayException(taskId, "writing a batch failed: " + e.getCause(), e.getCause());
      throw failure;
    }
  }

  /** Lets the batch in flight finish, then ends the thread. */
  void close() {
    thread.shutdown();
  }
}
