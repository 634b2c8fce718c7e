package dev.tally.runtime.core;

import java.util.Optional;

/**
 * Which text a decider lets into an event. Events are kept forever and copied into every
 * projection, so text is only accepted if every store keeps it exactly:
 *
 * <ul>
 *   <li>well-formed Unicode: no unpaired surrogate, which UTF-8 (Avro, JSON, JDBC) cannot encode
 *       and silently turns into {@code ?};
 *   <li>no NUL, which PostgreSQL's {@code text} refuses;
 *   <li>at most {@code maxLength} characters, counted in Unicode code points, as PostgreSQL's
 *       {@code length()} and JSON Schema's {@code maxLength} count them.
 * </ul>
 *
 * <p>A field may refuse more: every other control character ({@link #withoutControls()}), or blank
 * text ({@link #nonBlank()}). Plain JDK code, so the same rule holds in the decider, whoever sends
 * the command, and at the HTTP edge for an early, precise answer.
 *
 * @param maxLength the most code points accepted
 * @param controlsAllowed whether control characters other than NUL are accepted
 * @param blankAllowed whether empty or whitespace-only text is accepted
 */
public record TextRule(int maxLength, boolean controlsAllowed, boolean blankAllowed) {

  public TextRule {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
    }
  }

  /** Storable text of at most {@code maxLength} code points: possibly empty, control characters but NUL allowed. */
  public static TextRule text(int maxLength) {
    return new TextRule(maxLength, true, true);
  }

  /** This rule, refusing every control character (Unicode category Cc: C0, DEL and C1) too. */
  public TextRule withoutControls() {
    return new TextRule(maxLength, false, blankAllowed);
  }

  /** This rule, refusing empty and whitespace-only text too. */
  public TextRule nonBlank() {
    return new TextRule(maxLength, controlsAllowed, false);
  }

  /** Whether the rule accepts {@code text}; {@code null} is never accepted. */
  public boolean accepts(String text) {
    return check(text).isEmpty();
  }

  /** The first thing wrong with {@code text}, or empty when the rule accepts it. */
  public Optional<Violation> check(String text) {
    if (text == null) {
      return Optional.of(new Violation.Missing());
    }
    int length = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      length++;
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return Optional.of(new Violation.UnpairedSurrogate(c, length));
      } else if (c == '\0' || (!controlsAllowed && Character.getType(c) == Character.CONTROL)) {
        return Optional.of(new Violation.ControlCharacter(c, length));
      }
    }
    if (length > maxLength) {
      return Optional.of(new Violation.TooLong(length, maxLength));
    }
    if (!blankAllowed && text.isBlank()) {
      return Optional.of(new Violation.Blank());
    }
    return Optional.empty();
  }

  /** The rule in words, completing "must be …", for documents and rejection details. */
  public String describe() {
    return (blankAllowed ? "" : "non-blank ") + "Unicode text of at most " + maxLength + " characters"
        + (controlsAllowed ? " without NUL" : " without control characters");
  }

  /** What is wrong with a text; {@link #message()} completes a sentence whose subject is the field. */
  public sealed interface Violation {

    String message();

    /** The text is absent. */
    record Missing() implements Violation {
      @Override public String message() { return "is required"; }
    }

    /** The text is empty or whitespace only. */
    record Blank() implements Violation {
      @Override public String message() { return "must not be blank"; }
    }

    /** The text has more code points than allowed. */
    record TooLong(int length, int maxLength) implements Violation {
      @Override public String message() {
        return "must be at most " + maxLength + " characters (Unicode code points), not " + length;
      }
    }

    /** Half of a surrogate pair without its other half: not Unicode text. {@code position} counts code points from 1. */
    record UnpairedSurrogate(char surrogate, int position) implements Violation {
      @Override public String message() {
        return "must be well-formed Unicode: an unpaired surrogate %s is at character %d"
            .formatted(codePoint(surrogate), position);
      }
    }

    /** A control character the rule refuses (NUL always). {@code position} counts code points from 1. */
    record ControlCharacter(char character, int position) implements Violation {
      @Override public String message() {
        return "must not contain control characters: %s is at character %d".formatted(codePoint(character), position);
      }
    }

    private static String codePoint(char c) {
      return "U+%04X".formatted((int) c);
    }
  }
}
