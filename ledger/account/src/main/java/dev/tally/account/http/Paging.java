package dev.tally.account.http;

import dev.tally.runtime.web.Problem;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Request parameters of the account's reads, checked strictly: ids must be canonical UUIDs, cursors
 * exactly what the query API handed out (limits: {@code PageSize}). Anything else is a 400
 * problem naming the parameter.
 *
 * <p>Cursors are opaque to clients: base64url of a small text that names the key to continue
 * after, keyset-style (never an offset): {@code tx:<version>} for history, {@code ac:<opened-at
 * micros>:<account id>} for accounts of an owner.
 */
final class Paging {

  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern TRANSACTION_CURSOR = Pattern.compile("tx:([0-9]{1,18})");
  private static final Pattern ACCOUNT_CURSOR = Pattern.compile("ac:(-?[0-9]{1,18}):(" + UUID_TEXT.pattern() + ")");
  private static final int MAX_OWNER_LENGTH = 1000;
  /**
   * The earliest time PostgreSQL's {@code timestamptz} holds (4714-11-24 BC), in microseconds from
   * 1970: a cursor before it would make the query fail ("timestamp out of range"). The latest a
   * cursor can name (18 digits, the year 33658) is within range.
   */
  private static final long EARLIEST_MICROS = -210_866_803_200_000_000L;

  private Paging() {
  }

  static UUID id(String text, String parameter) {
    if (text == null || !UUID_TEXT.matcher(text).matches()) {
      throw Problem.invalidParameter("invalid-id", parameter, parameter + " must be a UUID (8-4-4-4-12 hex digits).");
    }
    return UUID.fromString(text);
  }

  static String owner(String text) {
    if (text == null || text.isBlank()) {
      throw Problem.invalidParameter("invalid-owner", "owner", "owner is required.");
    }
    if (text.length() > MAX_OWNER_LENGTH || text.indexOf('\0') >= 0) {
      throw Problem.invalidParameter("invalid-owner", "owner",
          "owner must be at most " + MAX_OWNER_LENGTH + " characters of text.");
    }
    return text;
  }

  /** The version to continue after, or 0 from the start. */
  static long transactionCursor(String cursor) {
    if (cursor == null) {
      return 0;
    }
    Matcher matcher = TRANSACTION_CURSOR.matcher(decode(cursor));
    if (!matcher.matches()) {
      throw invalidCursor();
    }
    return Long.parseLong(matcher.group(1));
  }

  static String transactionCursor(long version) {
    return encode("tx:" + version);
  }

  /** The (opened-at, id) key to continue after, or null from the start. */
  static AccountKey accountCursor(String cursor) {
    if (cursor == null) {
      return null;
    }
    Matcher matcher = ACCOUNT_CURSOR.matcher(decode(cursor));
    if (!matcher.matches()) {
      throw invalidCursor();
    }
    long openedAtMicros = Long.parseLong(matcher.group(1));
    if (openedAtMicros < EARLIEST_MICROS) {
      throw invalidCursor();
    }
    return new AccountKey(openedAtMicros, UUID.fromString(matcher.group(2)));
  }

  static String accountCursor(AccountKey key) {
    return encode("ac:" + key.openedAtMicros() + ":" + key.accountId());
  }

  private static String decode(String cursor) {
    try {
      return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalidCursor();
    }
  }

  private static String encode(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static Problem invalidCursor() {
    return Problem.invalidParameter("invalid-cursor", "after",
        "after must be a cursor from the \"next\" of an earlier page of the same list.");
  }

  /** Where a page of accounts of one owner ends: accounts are listed in opening order, then by id. */
  record AccountKey(long openedAtMicros, UUID accountId) {
  }
}
