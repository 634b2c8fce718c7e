package dev.tally.runtime.projection;

import java.util.UUID;

/**
 * Whether an aggregate's next event may be applied: each aggregate's versions must follow one
 * another without a gap, and each version is one event. A pure function of what the read model
 * holds of the aggregate and of the event.
 *
 * <p>The read model keeps, per aggregate, the version of its last applied event and that event's
 * id (table {@code projected_versions}), so:
 * <ul>
 *   <li>version = held + 1: {@link Apply};
 *   <li>version = held, same event id: {@link Duplicate}, a no-op (an event appended twice);
 *   <li>version = held, another event id: a {@code conflict} (two histories of one aggregate);
 *   <li>version &lt; held: an {@code overlap} (a version the log already had, at a later offset;
 *       its id cannot be checked, only the last one is kept);
 *   <li>version &gt; held + 1: a {@code gap} (events missing from the log).
 * </ul>
 * A fault is never applied: it parks the aggregate, with the message as the reason.
 */
public final class VersionGate {

  private VersionGate() {
  }

  /** What the read model holds of an aggregate: its last applied version and that event's id (null if unknown). */
  public record Held(long version, UUID eventId) {
    static final Held NOTHING = new Held(0, null);

    static Held of(EventIdentity event) {
      return new Held(event.version(), event.eventId());
    }
  }

  public sealed interface Verdict {
  }

  public record Apply() implements Verdict {
  }

  public record Duplicate() implements Verdict {
  }

  public record Fault(DeadLetters.Reason reason, String message) implements Verdict {
  }

  public static Verdict judge(Held held, EventIdentity event) {
    long version = event.version();
    if (version == held.version() + 1) {
      return new Apply();
    }
    if (version == held.version()) {
      // An id the read model does not know (rows from before it kept ids) cannot be told apart.
      return held.eventId() == null || held.eventId().equals(event.eventId()) ? new Duplicate()
          : new Fault(DeadLetters.Reason.CONFLICT, "conflict: version " + version + " of aggregate "
              + event.aggregateId() + " is already applied as event " + held.eventId() + "; this is event "
              + event.eventId());
    }
    if (version < held.version()) {
      return new Fault(DeadLetters.Reason.OVERLAP, "overlap: version " + version + " of aggregate "
          + event.aggregateId() + " (event " + event.eventId() + ") comes after version " + held.version());
    }
    return new Fault(DeadLetters.Reason.GAP, "gap: version " + version + " of aggregate " + event.aggregateId()
        + " follows version " + held.version() + "; " + (version - held.version() - 1 == 1
            ? "version " + (held.version() + 1) + " is missing"
            : "versions " + (held.version() + 1) + " to " + (version - 1) + " are missing"));
  }
}
