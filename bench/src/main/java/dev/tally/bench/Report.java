package dev.tally.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results table: each figure, its target, the limit it is compared with (measured in the
 * same run) and the ratio to it, and whether the target is met.
 */
final class Report {

  private Report() {
  }

  /**
   * One line of the table. {@code higherIsBetter} decides how the target is read; {@code minRatio}
   * (0 for none) is a second target on the ratio to the limit.
   */
  record Row(String figure, String key, String unit, double target, boolean higherIsBetter, String limitName, String limitKey,
      double minRatio) {

    Row(String figure, String key, String unit, double target, boolean higherIsBetter, String limitName, String limitKey) {
      this(figure, key, unit, target, higherIsBetter, limitName, limitKey, 0);
    }

    Row(String figure, String key, String unit, double target, boolean higherIsBetter) {
      this(figure, key, unit, target, higherIsBetter, null, null, 0);
    }
  }

  static final List<Row> ROWS = List.of(
      new Row("command ingest, closed loop (best of 64/256)", "ingest_cmds_per_s", "cmd/s", 5_000, true,
          "Kafka producer", "kafka_producer_records_per_s"),
      new Row("ingest p99 at 2,000 cmd/s offered", "ingest_p99_ms_at_2000", "ms", 50, false),
      new Row("projection into PostgreSQL", "projection_events_per_s", "events/s", 50_000, true,
          "PostgreSQL COPY", "copy_rows_per_s", 0.5),
      new Row("full rebuild of 1M events", "rebuild_1m_s", "s", 20, false),
      new Row("point query, closed loop", "query_rps", "req/s", 8_000, true, "JDBC point select", "jdbc_point_selects_per_s"),
      new Row("query p99 at half that rate", "query_p99_ms_at_half", "ms", 5, false),
      new Row("write -> readable p99 at 1,000 cmd/s", "e2e_p99_ms_at_1000", "ms", 100, false),
      new Row("max service heap (peak used)", "max_service_heap_mb", "MB", 512, false));

  static String table(Map<String, Object> results) {
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"figure", "measured", "target", "limit (same run)", "ratio", ""});
    for (Row row : ROWS) {
      Double value = number(results.get(row.key()));
      String target = (row.higherIsBetter() ? ">= " : "<= ") + format(row.target()) + " " + row.unit()
          + (row.minRatio() > 0 ? String.format(Locale.ROOT, ", >= %.0f%% of limit", 100 * row.minRatio()) : "");
      String limit = "";
      String ratio = "";
      boolean ratioMet = true;
      if (row.limitKey() != null) {
        Double limitValue = number(results.get(row.limitKey()));
        limit = limitValue == null ? row.limitName() + " n/a" : row.limitName() + " " + format(limitValue) + "/s";
        if (value != null && limitValue != null && limitValue > 0) {
          ratio = String.format(Locale.ROOT, "%.1f%%", 100 * value / limitValue);
          ratioMet = value / limitValue >= row.minRatio();
        }
      }
      String verdict = value == null ? "NOT MEASURED"
          : !(row.higherIsBetter() ? value >= row.target() : value <= row.target()) ? "MISSED"
          : ratioMet ? "ok" : "MISSED (ratio)";
      lines.add(new String[] {row.figure(), value == null ? "-" : format(value) + " " + row.unit(), target, limit, ratio, verdict});
    }
    int[] widths = new int[lines.getFirst().length];
    for (String[] line : lines) {
      for (int c = 0; c < line.length; c++) {
        widths[c] = Math.max(widths[c], line[c].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] line : lines) {
      for (int c = 0; c < line.length; c++) {
        out.append(String.format("%-" + widths[c] + "s", line[c])).append(c < line.length - 1 ? "  " : "");
      }
      out.append('\n');
    }
    return out.toString();
  }

  static Double number(Object value) {
    return value instanceof Number n && !Double.isNaN(n.doubleValue()) ? n.doubleValue() : null;
  }

  static String format(double value) {
    if (Math.abs(value) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    return String.format(Locale.ROOT, Math.abs(value) >= 10 ? "%.1f" : "%.2f", value);
  }
}
