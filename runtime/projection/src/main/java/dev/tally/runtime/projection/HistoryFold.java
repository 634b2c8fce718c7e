package dev.tally.runtime.projection;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Whole histories folded through a projection's {@link ProjectionView}: every aggregate from its
 * first event, in log order, each event judged first by the version rule the projector applies
 * ({@link VersionGate}) and by the view's own {@link ProjectionView#refusal}. What a fold of the log
 * outside the projector uses (the verification of a read model, a copy as of an instant), so that it
 * shares the projection's fold and version rule, never its SQL. Pure and single-threaded.
 *
 * @param <E> the projection's event type
 * @param <S> the rows of one aggregate
 */
public final class HistoryFold<E, S> {

  private final Projection<E> projection;
  private final ProjectionView<E, S> view;
  private final Map<UUID, Folded<S>> folded = new HashMap<>();

  public HistoryFold(Projection<E> projection, ProjectionView<E, S> view) {
    this.projection = projection;
    this.view = view;
  }

  /**
   * Folds the next event of the log: {@link VersionGate.Apply} if it was folded,
   * {@link VersionGate.Duplicate} if it was passed over (the same event again), a
   * {@link VersionGate.Fault} if it cannot be folded (then nothing changes).
   */
  public VersionGate.Verdict add(E event) {
    EventIdentity identity = projection.identity(event);
    Folded<S> before = folded.get(identity.aggregateId());
    S state = before == null ? view.initialState() : before.state();
    VersionGate.Verdict verdict = VersionGate.judge(before == null ? VersionGate.Held.NOTHING : before.held(), identity);
    if (verdict instanceof VersionGate.Apply) {
      var refusal = view.refusal(state, event);
      if (refusal.isPresent()) {
        return new VersionGate.Fault(DeadLetters.Reason.INVALID, refusal.get());
      }
      folded.put(identity.aggregateId(), new Folded<>(VersionGate.Held.of(identity), view.evolve(state, event)));
    }
    return verdict;
  }

  /** The rows of one aggregate as folded so far; the view's initial state if none of its events was. */
  public S state(UUID aggregateId) {
    Folded<S> folded = this.folded.get(aggregateId);
    return folded == null ? view.initialState() : folded.state();
  }

  /** The rows of every aggregate folded so far, by aggregate id. */
  public Map<UUID, S> states() {
    Map<UUID, S> states = new HashMap<>();
    folded.forEach((id, f) -> states.put(id, f.state()));
    return Collections.unmodifiableMap(states);
  }

  private record Folded<S>(VersionGate.Held held, S state) {
  }
}
