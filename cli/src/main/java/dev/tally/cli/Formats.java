package dev.tally.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Parsing of user-given times and formatting of durations, JSON and unfoldable records. */
final class Formats {

  private static final int LISTED = 10;

  static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private Formats() {
  }

  static String json(Map<String, ?> document) {
    return JSON.writeValueAsString(document);
  }

  /** One line per record that cannot be folded, the first {@value #LISTED}, then how many more. */
  static void unfoldable(List<LogFold.Unfoldable> records, PrintWriter err) {
    records.stream().limit(LISTED).forEach(record -> err.printf("  record %d@%d cannot be folded: %s%n",
        record.partition(), record.offset(), record.reason()));
    if (records.size() > LISTED) {
      err.printf("  ... and %,d more records%n", records.size() - LISTED);
    }
    err.flush();
  }

  /**
   * An ISO-8601 instant: {@code 2026-05-01T12:00:00Z}, {@code 2026-05-01T14:00:00+02:00}, or
   * without an offset ({@code 2026-05-01T12:00:00}, {@code 2026-05-01}), read as UTC.
   */
  static Instant instant(String text, String option) {
    String value = text.strip();
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException ignored) {
      // try the forms without an offset
    }
    try {
      return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException ignored) {
      // try a bare date
    }
    try {
      return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new CliException(option + " " + text + " is not an ISO-8601 date-time (for example 2026-05-01T12:00:00Z)");
    }
  }

  /** An ISO-8601 duration such as {@code PT30M} or {@code P1D}; must be positive. */
  static Duration duration(String text, String option) {
    Duration duration;
    try {
      duration = Duration.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new CliException(option + " " + text + " is not an ISO-8601 duration (for example PT30M or P1D)");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new CliException(option + " " + text + " must be a positive duration");
    }
    return duration;
  }

  /** {@code 850ms}, {@code 12s}, {@code 3m05s}, {@code 2h03m}, {@code 4d02h}. */
  static String age(long millis) {
    if (millis < 1_000) {
      return millis + "ms";
    }
    long seconds = millis / 1_000;
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3_600) {
      return String.format("%dm%02ds", seconds / 60, seconds % 60);
    }
    if (seconds < 86_400) {
      return String.format("%dh%02dm", seconds / 3_600, (seconds % 3_600) / 60);
    }
    return String.format("%dd%02dh", seconds / 86_400, (seconds % 86_400) / 3_600);
  }
}
