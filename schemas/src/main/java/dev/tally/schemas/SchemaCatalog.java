package dev.tally.schemas;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Every version of every schema Tally has ever written, loaded from the classpath.
 *
 * <p>The history lives in {@code dev/tally/schemas/history/}: one folder per record full name,
 * one {@code vN.avsc} per version, listed in {@code index}. A record on the wire carries the
 * 64-bit fingerprint of its writer schema (Avro single-object encoding); this catalog resolves
 * the fingerprint back to that schema, so every event ever written stays readable.
 */
public final class SchemaCatalog implements SchemaStore {

  /**
   * Custom schema property that holds the stable wire name of an event or command type; also the
   * header, under the same name, on every appended event, so consumers can filter without decoding.
   */
  public static final String TYPE_PROPERTY = "tally.type";

  static final String HISTORY = "dev/tally/schemas/history/";

  private static final SchemaCatalog CLASSPATH = load(SchemaCatalog.class.getClassLoader());

  private final Map<String, List<Schema>> versionsByName;
  private final Map<Long, Schema> byFingerprint = new ConcurrentHashMap<>();

  private SchemaCatalog(Map<String, List<Schema>> versionsByName) {
    this.versionsByName = versionsByName;
    versionsByName.values().stream()
        .flatMap(List::stream)
        .forEach(schema -> byFingerprint.put(SchemaNormalization.parsingFingerprint64(schema), schema));
  }

  /** The catalog of this build's classpath. */
  public static SchemaCatalog classpath() {
    return CLASSPATH;
  }

  static SchemaCatalog load(ClassLoader loader) {
    Map<String, List<Schema>> versions = new LinkedHashMap<>();
    for (String entry : readIndex(loader)) {
      String fullName = entry.substring(0, entry.indexOf('/'));
      Schema schema = new Schema.Parser().parse(read(loader, HISTORY + entry));
      if (!schema.getFullName().equals(fullName)) {
        throw new IllegalStateException(entry + " defines " + schema.getFullName() + ", not " + fullName);
      }
      List<Schema> list = versions.computeIfAbsent(fullName, name -> new ArrayList<>());
      String expected = fullName + "/v" + (list.size() + 1) + ".avsc";
      if (!entry.equals(expected)) {
        throw new IllegalStateException("schema history index: expected " + expected + " but found " + entry);
      }
      list.add(schema);
    }
    versions.replaceAll((name, list) -> List.copyOf(list));
    return new SchemaCatalog(Collections.unmodifiableMap(versions));
  }

  /** Full names of every record type with a history, in index order. */
  public List<String> names() {
    return List.copyOf(versionsByName.keySet());
  }

  /** Every version of one record type, oldest first (v1 at index 0). */
  public List<Schema> versions(String fullName) {
    return versionsByName.getOrDefault(fullName, List.of());
  }

  /** The newest recorded version of one record type. */
  public Optional<Schema> latest(String fullName) {
    List<Schema> versions = versions(fullName);
    return versions.isEmpty() ? Optional.empty() : Optional.of(versions.getLast());
  }

  @Override
  public Schema findByFingerprint(long fingerprint) {
    return byFingerprint.get(fingerprint);
  }

  /** The stable wire name ({@value #TYPE_PROPERTY}) a schema declares, if any. */
  public static Optional<String> wireType(Schema schema) {
    return Optional.ofNullable(schema.getProp(TYPE_PROPERTY));
  }

  private static List<String> readIndex(ClassLoader loader) {
    return read(loader, HISTORY + "index").lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }

  private static String read(ClassLoader loader, String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing schema resource " + resource);
      }
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        return reader.lines().reduce("", (a, b) -> a + b + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
