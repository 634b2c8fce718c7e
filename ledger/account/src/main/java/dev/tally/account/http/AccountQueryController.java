package dev.tally.account.http;

import dev.tally.account.http.AccountViews.Account;
import dev.tally.account.http.AccountViews.Transaction;
import dev.tally.runtime.web.Page;
import dev.tally.runtime.web.PageSize;
import dev.tally.runtime.web.Problem;
import dev.tally.runtime.web.ProblemKind;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

/**
 * {@code GET /accounts/{id}}, {@code GET /accounts/{id}/transactions}, {@code GET /accounts?owner=}:
 * the account's query face, served by the query API over the read model.
 */
@RestController
class AccountQueryController {

  /** MVC path patterns of these reads, to which the query API applies its checks. */
  static final List<String> PATHS = List.of("/accounts", "/accounts/**");

  private final AccountQueries queries;
  private final PageSize pages;

  AccountQueryController(JdbcClient jdbc, PageSize pages) {
    this.queries = new AccountQueries(jdbc);
    this.pages = pages;
  }

  @GetMapping("/accounts/{id}")
  ResponseEntity<Account> account(@PathVariable("id") String id, WebRequest request) {
    UUID accountId = Paging.id(id, "id");
    Account account = queries.account(accountId).orElseThrow(() -> unknown(accountId));
    String etag = "\"" + account.version() + "\"";
    if (request.checkNotModified(etag)) {
      return null;
    }
    return ResponseEntity.ok().eTag(etag).body(account);
  }

  @GetMapping("/accounts/{id}/transactions")
  Page<Transaction> transactions(@PathVariable("id") String id,
      @RequestParam(name = "limit", required = false) String limit,
      @RequestParam(name = "after", required = false) String after) {
    UUID accountId = Paging.id(id, "id");
    int size = pages.of(limit);
    long afterVersion = Paging.transactionCursor(after);
    List<Transaction> rows = queries.transactions(accountId, afterVersion, size + 1);
    if (rows.isEmpty() && !queries.exists(accountId)) {
      throw unknown(accountId);
    }
    if (rows.size() <= size) {
      return new Page<>(rows, null);
    }
    List<Transaction> page = rows.subList(0, size);
    return new Page<>(page, Paging.transactionCursor(page.getLast().version()));
  }

  @GetMapping("/accounts")
  Page<Account> accountsOf(@RequestParam(name = "owner", required = false) String owner,
      @RequestParam(name = "limit", required = false) String limit,
      @RequestParam(name = "after", required = false) String after) {
    String who = Paging.owner(owner);
    int size = pages.of(limit);
    Paging.AccountKey from = Paging.accountCursor(after);
    List<AccountQueries.Keyed> rows = queries.accountsOf(who, from, size + 1);
    List<AccountQueries.Keyed> page = rows.size() <= size ? rows : rows.subList(0, size);
    String next = rows.size() <= size ? null : Paging.accountCursor(page.getLast().key());
    return new Page<>(page.stream().map(AccountQueries.Keyed::account).toList(), next);
  }

  private static Problem unknown(UUID id) {
    return Problem.of(ProblemKind.NOT_FOUND, "not-found", "There is no account " + id + ".");
  }
}
