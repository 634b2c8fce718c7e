package dev.tally.runtime.projection;

import java.util.Map;
import org.apache.kafka.streams.state.StoreBuilder;

/** Builds one {@link ProjectionStore} per task. No changelog and no cache: PostgreSQL is the state. */
final class ProjectionStoreBuilder<E> implements StoreBuilder<ProjectionStore<E>> {

  private final String name;
  private final ProjectorTopologyConfig config;
  private final Projection<E> projection;

  ProjectionStoreBuilder(String name, ProjectorTopologyConfig config, Projection<E> projection) {
    this.name = name;
    this.config = config;
    this.projection = projection;
  }

  @Override
  public StoreBuilder<ProjectionStore<E>> withCachingEnabled() {
    throw new UnsupportedOperationException("a projection store has no cache");
  }

  @Override
  public StoreBuilder<ProjectionStore<E>> withCachingDisabled() {
    return this;
  }

  @Override
  public StoreBuilder<ProjectionStore<E>> withLoggingEnabled(Map<String, String> config) {
    throw new UnsupportedOperationException("a projection store has no changelog: PostgreSQL is its state");
  }

  @Override
  public StoreBuilder<ProjectionStore<E>> withLoggingDisabled() {
    return this;
  }

  @Override
  public ProjectionStore<E> build() {
    return new ProjectionStore<>(name, config, projection);
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
