package dev.tally.schemas;

/** Default names of Tally's topics: part of the wire contract, like the schemas. */
public final class Topics {

  /** The source of truth: every account event, kept forever, keyed by account id. */
  public static final String ACCOUNT_EVENTS = "tally.account-events";
  /** Commands on their way to the single writer of their account's partition. */
  public static final String ACCOUNT_COMMANDS = "tally.account-commands";
  /** The single writer's answer to each command. */
  public static final String ACCOUNT_COMMAND_RESULTS = "tally.account-command-results";

  /** Events a projection could not decode or apply, with headers saying why and where from. */
  public static final String ACCOUNT_EVENTS_DEAD_LETTERS = "tally.account-events.dead-letters";

  private Topics() {
  }
}
