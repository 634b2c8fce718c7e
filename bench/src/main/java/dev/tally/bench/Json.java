package dev.tally.bench;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The little JSON the benchmark needs: one field out of a small flat answer, and the results document out. */
public final class Json {

  private static final Map<String, Pattern> FIELDS = new ConcurrentHashMap<>();

  private Json() {
  }

  /** The text of a top-level string, number or boolean field of a flat JSON object, or null if absent. */
  public static String field(String json, String name) {
    Matcher matcher = FIELDS.computeIfAbsent(name, key -> Pattern.compile("\"" + Pattern.quote(key)
        + "\"\\s*:\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(-?[0-9][0-9.eE+-]*|true|false))")).matcher(json);
    if (!matcher.find()) {
      return null;
    }
    return matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
  }

  /** Maps, lists, strings, numbers, booleans and nulls as indented JSON. */
  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out, "");
    return out.append('\n').toString();
  }

  private static void write(Object value, StringBuilder out, String indent) {
    switch (value) {
      case null -> out.append("null");
      case Map<?, ?> map -> {
        if (map.isEmpty()) {
          out.append("{}");
          return;
        }
        out.append("{\n");
        Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
        while (entries.hasNext()) {
          Map.Entry<?, ?> entry = entries.next();
          out.append(indent).append("  ");
          string(String.valueOf(entry.getKey()), out);
          out.append(": ");
          write(entry.getValue(), out, indent + "  ");
          out.append(entries.hasNext() ? ",\n" : "\n");
        }
        out.append(indent).append('}');
      }
      case List<?> list -> {
        if (list.isEmpty()) {
          out.append("[]");
          return;
        }
        out.append("[\n");
        for (int i = 0; i < list.size(); i++) {
          out.append(indent).append("  ");
          write(list.get(i), out, indent + "  ");
          out.append(i < list.size() - 1 ? ",\n" : "\n");
        }
        out.append(indent).append(']');
      }
      case Double d -> out.append(d.isNaN() || d.isInfinite() ? "null" : number(d));
      case Float f -> out.append(f.isNaN() || f.isInfinite() ? "null" : number(f));
      case Number n -> out.append(n);
      case Boolean b -> out.append(b);
      default -> string(value.toString(), out);
    }
  }

  private static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return String.format(Locale.ROOT, "%.3f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static void string(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
