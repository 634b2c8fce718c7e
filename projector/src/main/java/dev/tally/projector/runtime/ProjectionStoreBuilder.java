package dev.tally.projector.runtime;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.StoreBuilder;

/** Builds one {@link ProjectionStore} per task. No changelog and no cache: PostgreSQL is the state. */
public final class ProjectionStoreBuilder<B extends ProjectionBatch> implements StoreBuilder<ProjectionStore<B>> {

  private final String name;
  private final ProjectorTopologyConfig config;
  private final Supplier<B> batches;

  ProjectionStoreBuilder(String name, ProjectorTopologyConfig config, Supplier<B> batches) {
    this.name = name;
    this.config = config;
    this.batches = batches;
  }

  @Override
  public StoreBuilder<ProjectionStore<B>> withCachingEnabled() {
    throw new UnsupportedOperationException("a projection store has no cache");
  }

  @Override
  public StoreBuilder<ProjectionStore<B>> withCachingDisabled() {
    return this;
  }

  @Override
  public StoreBuilder<ProjectionStore<B>> withLoggingEnabled(Map<String, String> config) {
    throw new UnsupportedOperationException("a projection store has no changelog: PostgreSQL is its state");
  }

  @Override
  public StoreBuilder<ProjectionStore<B>> withLoggingDisabled() {
    return this;
  }

  @Override
  public ProjectionStore<B> build() {
    return new ProjectionStore<>(name, config, batches);
  }

  @Override
  public Map<String, String> logConfig() {
    return Map.of();
  }

  @Override
  public boolean loggingEnabled() {
    return false;
  }

  @Override
  public String name() {
    return name;
  }
}
