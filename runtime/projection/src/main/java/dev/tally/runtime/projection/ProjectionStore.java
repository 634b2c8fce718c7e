package dev.tally.runtime.projection;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * Where a projection task meets Kafka Streams' commit: a state store whose pre-commit hook returns
 * only once everything its task handled is committed in PostgreSQL, so that Kafka Streams never
 * commits an input offset the database does not cover. The task itself, its batches and their
 * transactions are {@link ProjectionTask}'s; this class only adapts it to the store interfaces, and
 * is the one place that leans on Kafka Streams' internals.
 *
 * <p><b>Why a state store, and why {@link CachedStateStore}.</b> In Kafka Streams 4.2 a task commit
 * runs {@code StreamTask.prepareCommit()}, which calls {@code ProcessorStateManager.flushCache()}: it
 * invokes {@link CachedStateStore#flushCache()} on every registered store that implements it, then
 * flushes the record collector; only then does the thread commit the consumed offsets (or the
 * transaction, under exactly-once). The public {@link StateStore#flush()} is called later, from
 * {@code postCommit} when a checkpoint is due, so after the offsets are committed: writing there
 * could commit offsets for rows that are not in the database yet. {@code flushCache()} is therefore
 * the write hook; {@code flush()} writes too, as a harmless second chance (the buffer is already
 * empty by then). See ADR 0009.
 *
 * <p>The store has no changelog and nothing on disk: PostgreSQL is its state.
 */
final class ProjectionStore<E> implements StateStore, CachedStateStore<Object, Object> {

  private final String name;
  private final ProjectionTask<E> task;
  private volatile boolean open;

  ProjectionStore(String name, ProjectorTopologyConfig config, Projection<E> projection) {
    this.name = name;
    this.task = new ProjectionTask<>(name, config, projection);
  }

  /** The task this store writes for, for its processor. */
  ProjectionTask<E> task() {
    return task;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    task.open(context.taskId());
    context.register(root, (key, value) -> {
      throw new IllegalStateException("projection store " + name + " has no changelog to restore from");
    });
    open = true;
  }

  /**
   * Kafka Streams' pre-commit hook: returns only once everything handled so far is committed in
   * PostgreSQL, so the offsets Kafka Streams commits next are covered by the database.
   */
  @Override
  public void flushCache() {
    task.write();
  }

  @Override
  public void flush() {
    task.write();
  }

  @Override
  public void clearCache() {
    task.discard();
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
    return false;
  }

  @Override
  public void close() {
    task.close();
    open = false;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }
}
