package dev.tally.schemas;


/**
 * The names of the ledger's aggregate types, beside their schemas. Each name is part of the wire
 * contract: it derives its topics ({@link AggregateTopics#of}), its single writer's application id
 * ({@link Writers#applicationId}) and the writer's state stores. Which aggregates a deployment
 * serves is the ledger's registry's to say ({@code dev.tally.ledger.Ledger}).
 */
public final class Aggregates {

  /** The account: opened, credited, debited and closed. */
  public static final String ACCOUNT = "account";

  /** The transfer between two accounts: the transfer saga's record (ADR 36). */
  public static final String TRANSFER = "transfer";

  private Aggregates() {
  }
}
