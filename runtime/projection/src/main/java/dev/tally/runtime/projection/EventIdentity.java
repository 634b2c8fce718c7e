package dev.tally.runtime.projection;

import java.util.Objects;
import java.util.UUID;

/**
 * What the runtime needs to know of every event to keep an aggregate's history whole: its
 * aggregate, the version it brought the aggregate to (1, 2, 3, ... without gaps) and its own id.
 */
public record EventIdentity(UUID aggregateId, long version, UUID eventId) {

  public EventIdentity {
    Objects.requireNonNull(aggregateId, "aggregateId");
    Objects.requireNonNull(eventId, "eventId");
    if (version < 1) {
      throw new IllegalArgumentException("an aggregate version starts at 1, not " + version);
    }
  }
}
