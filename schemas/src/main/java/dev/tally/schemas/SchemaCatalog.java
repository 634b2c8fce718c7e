package dev.tally.schemas;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
 * one {@code vN.avsc} per version, listed in {@code index}. Every classpath root may carry one
 * (the shared schemas, a slice's own, a test's): the catalog merges them all, and each type's
 * whole history is in one of them, so its versions are never split or recorded twice. A record
 * on the wire carries the 64-bit fingerprint of its writer schema (Avro single-object encoding);
 * this catalog resolves the fingerprint back to that schema, so every event ever written stays
 * readable.
 */
public final class SchemaCatalog implements SchemaStore {

  /**
   * Custom schema property that holds the stable wire name of an event or command type; also the
   * header, under the same name, on every appended event, so consumers can filter without decoding.
   */
  public static final String TYPE_PROPERTY = "tally.type";

  static final String HISTORY = "dev/tally/schemas/history/";
  private static final String INDEX = "index";

  private static final SchemaCatalog CLASSPATH = load(SchemaCatalog.class.getClassLoader());

  private final Map<String, List<Schema>> versionsByName;
  private final Map<Long, Schema> byFingerprint = new ConcurrentHashMap<>();

  private SchemaCatalog(Map<String, List<Schema>> versionsByName) {
    this.versionsByName = versionsByName;
    Map<Long, String> versionOf = new HashMap<>();
    versionsByName.forEach((name, versions) -> {
      for (int i = 0; i < versions.size(); i++) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(versions.get(i));
        String earlier = versionOf.putIfAbsent(fingerprint, name + " v" + (i + 1));
        if (earlier != null) {
          // A record names its writer schema by fingerprint alone: it could not say which of the two wrote it.
          throw new IllegalStateException(name + " v" + (i + 1) + " has the fingerprint of " + earlier
              + ": a new version must differ in its parsing canonical form");
        }
        byFingerprint.put(fingerprint, versions.get(i));
      }
    });
  }

  /** The catalog of this build's classpath. */
  public static SchemaCatalog classpath() {
    return CLASSPATH;
  }

  /**
   * The catalog of every history on the classpath of {@code loader}: each {@code index} found is
   * read from its own folder, and each type must have its whole history in exactly one of them
   * (or in identical copies of it: the same jar twice on a classpath).
   */
  static SchemaCatalog load(ClassLoader loader) {
    List<URL> indexes = indexes(loader);
    if (indexes.isEmpty()) {
      throw new IllegalStateException("no schema history on the classpath: no " + HISTORY + INDEX);
    }
    Map<String, List<Schema>> versions = new LinkedHashMap<>();
    Map<String, URL> recordedIn = new HashMap<>();
    for (URL index : indexes) {
      history(index).forEach((fullName, list) -> {
        URL other = recordedIn.putIfAbsent(fullName, index);
        if (other != null && !versions.get(fullName).equals(list)) {
          throw new IllegalStateException(fullName + " has a history in two indexes, " + other + " and " + index
              + ": every version of a type is recorded in one");
        }
        // The same history twice (one jar twice on a classpath) is that history once.
        versions.putIfAbsent(fullName, List.copyOf(list));
      });
    }
    return new SchemaCatalog(Collections.unmodifiableMap(versions));
  }

  /** The versions one index lists, each read from beside it, checked to follow each other from v1. */
  private static Map<String, List<Schema>> history(URL index) {
    String folder = index.toExternalForm().substring(0, index.toExternalForm().length() - INDEX.length());
    Map<String, List<Schema>> versions = new LinkedHashMap<>();
    for (String entry : entries(read(index))) {
      String fullName = entry.substring(0, entry.indexOf('/'));
      Schema schema = new Schema.Parser().parse(read(URI.create(folder + entry)));
      if (!schema.getFullName().equals(fullName)) {
        throw new IllegalStateException(entry + " defines " + schema.getFullName() + ", not " + fullName);
      }
      List<Schema> list = versions.computeIfAbsent(fullName, name -> new ArrayList<>());
      String expected = fullName + "/v" + (list.size() + 1) + ".avsc";
      if (!entry.equals(expected)) {
        throw new IllegalStateException("schema history index " + index + ": expected " + expected + " but found " + entry);
      }
      list.add(schema);
    }
    return versions;
  }

  /** Full names of every record type with a history: index after index, in classpath order, each in its order. */
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

  private static List<URL> indexes(ClassLoader loader) {
    try {
      return Collections.list(loader.getResources(HISTORY + INDEX));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> entries(String index) {
    return index.lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }

  private static String read(URI resource) {
    try {
      return read(resource.toURL());
    } catch (MalformedURLException e) {
      throw new IllegalStateException("cannot read schema resource " + resource, e);
    }
  }

  private static String read(URL resource) {
    try (InputStream in = resource.openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (FileNotFoundException e) {
      throw new IllegalStateException("missing schema resource " + resource, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
