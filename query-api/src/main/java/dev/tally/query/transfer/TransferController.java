package dev.tally.query.transfer;

import dev.tally.runtime.web.Problem;
import dev.tally.runtime.web.ProblemKind;
import dev.tally.runtime.web.QueryEndpoints;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /transfers/{id}} over a placeholder table: the transfer slice has no projection yet,
 * so this stays here until it has one and can serve this as its query face.
 */
@RestController
public class TransferController {

  /** Its paths, checked like every slice's queries. */
  public static final QueryEndpoints ENDPOINTS = new QueryEndpoints(TransferController.class, List.of("/transfers/**"));

  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final JdbcClient jdbc;

  TransferController(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @GetMapping("/transfers/{id}")
  Transfer transfer(@PathVariable("id") String id) {
    if (!UUID_TEXT.matcher(id).matches()) {
      throw Problem.invalidParameter("invalid-id", "id", "id must be a UUID (8-4-4-4-12 hex digits).");
    }
    UUID transferId = UUID.fromString(id);
    return jdbc.sql("SELECT transfer_id, from_account, to_account, amount, status, reason FROM transfers WHERE transfer_id = ?")
        .param(transferId)
        .query((rows, n) -> new Transfer(rows.getObject(1, UUID.class), rows.getObject(2, UUID.class),
            rows.getObject(3, UUID.class), rows.getLong(4), rows.getString(5), rows.getString(6)))
        .optional()
        .orElseThrow(() -> Problem.of(ProblemKind.NOT_FOUND, "not-found", "There is no transfer " + transferId + "."));
  }

  /** The contract's shape: {@code from} and {@code to} are account ids. */
  record Transfer(UUID transferId, UUID from, UUID to, long amount, String status, String reason) {
  }
}
