package dev.tally.projector.runtime;

import java.util.regex.Pattern;

/** Checks names that end up in SQL text (roles, channels), where they cannot be bind parameters. */
public final class Identifiers {

  private static final Pattern SQL_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private Identifiers() {
  }

  public static String requireSqlIdentifier(String value, String what) {
    if (value == null || !SQL_IDENTIFIER.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be a lower-case SQL identifier ([a-z_][a-z0-9_]*), not " + value);
    }
    return value;
  }
}
