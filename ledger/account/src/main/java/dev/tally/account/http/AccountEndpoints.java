package dev.tally.account.http;

import dev.tally.runtime.web.QueryEndpoints;
import dev.tally.runtime.writer.http.CommandEndpoints;

/** The account's HTTP faces. */
public final class AccountEndpoints {

  /** Open, deposit, withdraw, close. */
  public static final CommandEndpoints COMMANDS = new CommandEndpoints(AccountCommands.class, AccountCommands.PATHS);

  /** An account, its history, the accounts of an owner. */
  public static final QueryEndpoints QUERIES = new QueryEndpoints(AccountQueryController.class, AccountQueryController.PATHS);

  private AccountEndpoints() {
  }
}
