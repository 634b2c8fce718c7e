package dev.tally.runtime.core;

/**
 * Why a decider refused a command. Every aggregate's rejections implement it, so that whatever
 * answers a refusal (the HTTP edge, a process manager) can treat every aggregate alike.
 */
public interface Rejection {

  /** Which kind of refusal this is: what it means for the one who sent the command. */
  Kind kind();

  /** A stable, kebab-case identifier of this refusal (it ends the RFC 9457 problem type URI). */
  String code();

  /** A sentence for people, saying why; it may change. */
  String detail();

  /** What a refusal means for its sender, whatever the aggregate. */
  enum Kind {
    /** The aggregate does not exist: nothing to act on. */
    NOT_FOUND,
    /** The command is invalid whatever the aggregate's state: sending it again cannot succeed. */
    INVALID,
    /** The command conflicts with the aggregate's current state: it may succeed in another state. */
    CONFLICT
  }
}
