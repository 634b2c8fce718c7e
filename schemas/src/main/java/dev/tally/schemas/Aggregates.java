package dev.tally.schemas;

import java.util.List;

/**
 * The ledger's aggregate types. Each name is part of the wire contract: it derives its topics
 * ({@link AggregateTopics#of}), its single writer's application id ({@link Writers#applicationId})
 * and the writer's state stores.
 */
public final class Aggregates {

  /** The account: opened, credited, debited and closed. */
  public static final String ACCOUNT = "account";

  /**
   * The transfer between two accounts: the transfer saga's record (ADR 36). Not in {@link #ALL}
   * until its writer and process run, so that no deployment creates topics nothing uses.
   */
  public static final String TRANSFER = "transfer";

  /** Every aggregate type, whose topics a deployment creates. */
  public static final List<String> ALL = List.of(ACCOUNT);

  private Aggregates() {
  }
}
