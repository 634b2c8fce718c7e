package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog merges the schema history of every classpath root that carries one (the shared
 * schemas, a slice's, a test's), and refuses a history it could read two ways.
 */
class SchemaCatalogTest {

  private static final String ONE_V1 = record("one.One", "\"tally.type\": \"one.one\"", "");
  private static final String ONE_V2 = record("one.One", "\"tally.type\": \"one.one\"",
      ", {\"name\": \"note\", \"type\": \"string\", \"default\": \"\"}");
  private static final String TWO_V1 = record("two.Two", "\"tally.type\": \"two.two\"", "");

  @TempDir
  Path roots;

  @Test
  void mergesTheHistoryOfEveryIndexOnTheClasspath() {
    Path first = history("first", "one.One/v1.avsc", ONE_V1, "one.One/v2.avsc", ONE_V2);
    Path second = history("second", "two.Two/v1.avsc", TWO_V1);

    SchemaCatalog catalog = SchemaCatalog.load(loader(first, second));

    assertThat(catalog.names()).containsExactly("one.One", "two.Two");
    assertThat(catalog.versions("one.One")).extracting(schema -> schema.getField("note") != null)
        .containsExactly(false, true);
    Schema two = catalog.latest("two.Two").orElseThrow();
    assertThat(catalog.findByFingerprint(SchemaNormalization.parsingFingerprint64(two))).isEqualTo(two);
    assertThat(catalog.findByFingerprint(SchemaNormalization.parsingFingerprint64(new Schema.Parser().parse(ONE_V1))))
        .isEqualTo(catalog.versions("one.One").getFirst());
  }

  @Test
  void readsEachIndexsEntriesFromItsOwnFolder() {
    // The first root holds a file of the same path that its own index does not list: not the second's history.
    Path first = history("first", "one.One/v1.avsc", ONE_V1);
    write(first, "two.Two/v1.avsc", "not a schema");
    Path second = history("second", "two.Two/v1.avsc", TWO_V1);

    SchemaCatalog catalog = SchemaCatalog.load(loader(first, second));

    assertThat(catalog.latest("two.Two")).contains(new Schema.Parser().parse(TWO_V1));
  }

  @Test
  void aTypeRecordedInTwoIndexesIsRefused() {
    Path first = history("first", "one.One/v1.avsc", ONE_V1);
    Path second = history("second", "one.One/v1.avsc", ONE_V1, "one.One/v2.avsc", ONE_V2, "two.Two/v1.avsc", TWO_V1);

    assertThatThrownBy(() -> SchemaCatalog.load(loader(first, second)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("one.One has a history in two indexes")
        .hasMessageContaining(first.resolve(SchemaCatalog.HISTORY).toUri().getPath())
        .hasMessageContaining(second.resolve(SchemaCatalog.HISTORY).toUri().getPath());
  }

  /** The same jar twice on a classpath (a test's, beside a jar that lists it in its manifest) is one history. */
  @Test
  void aSecondCopyOfTheSameHistoryCountsOnce() {
    Path first = history("first", "one.One/v1.avsc", ONE_V1, "one.One/v2.avsc", ONE_V2);
    Path copy = history("copy", "one.One/v1.avsc", ONE_V1, "one.One/v2.avsc", ONE_V2, "two.Two/v1.avsc", TWO_V1);

    SchemaCatalog catalog = SchemaCatalog.load(loader(first, copy));

    assertThat(catalog.names()).containsExactly("one.One", "two.Two");
    assertThat(catalog.versions("one.One")).hasSize(2);
  }

  @Test
  void versionsOutOfOrderAreRefused() {
    Path root = history("root", "one.One/v2.avsc", ONE_V2, "one.One/v1.avsc", ONE_V1);

    assertThatThrownBy(() -> SchemaCatalog.load(loader(root)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expected one.One/v1.avsc but found one.One/v2.avsc");
  }

  @Test
  void twoVersionsWithOneFingerprintAreRefused() {
    // A property is no part of the parsing canonical form: two files, one schema on the wire.
    Path root = history("root", "one.One/v1.avsc", ONE_V1,
        "one.One/v2.avsc", ONE_V1.replace("\"tally.type\"", "\"doc\": \"same fields\", \"tally.type\""));

    assertThatThrownBy(() -> SchemaCatalog.load(loader(root)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("one.One v2 has the fingerprint of one.One v1");
  }

  @Test
  void anEntryWithoutItsFileIsRefused() {
    Path root = history("root", "one.One/v1.avsc", ONE_V1);
    write(root, "index", "one.One/v1.avsc\none.One/v2.avsc\n");

    assertThatThrownBy(() -> SchemaCatalog.load(loader(root)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("missing schema resource")
        .hasMessageContaining("one.One/v2.avsc");
  }

  @Test
  void aClasspathWithoutAnyHistoryIsRefused() {
    assertThatThrownBy(() -> SchemaCatalog.load(loader(roots)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no schema history on the classpath");
  }

  /** A classpath root holding a history of {@code files} (path, content, ...), listed in that order in its index. */
  private Path history(String name, String... files) {
    Path root = roots.resolve(name);
    StringBuilder index = new StringBuilder("# test history\n");
    for (int i = 0; i < files.length; i += 2) {
      write(root, files[i], files[i + 1]);
      index.append(files[i]).append('\n');
    }
    write(root, "index", index.toString());
    return root;
  }

  private static void write(Path root, String file, String content) {
    try {
      Path path = root.resolve(SchemaCatalog.HISTORY).resolve(file);
      Files.createDirectories(path.getParent());
      Files.writeString(path, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A class loader over exactly these roots, in order: not the build's own history. */
  private static ClassLoader loader(Path... roots) {
    URL[] urls = Arrays.stream(roots).map(root -> {
      try {
        return root.toUri().toURL();
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException(e);
      }
    }).toArray(URL[]::new);
    return new URLClassLoader(urls, null);
  }

  private static String record(String fullName, String properties, String moreFields) {
    int dot = fullName.lastIndexOf('.');
    return """
        {"type": "record", "name": "%s", "namespace": "%s", %s,
         "fields": [{"name": "id", "type": "string"}%s]}
        """.formatted(fullName.substring(dot + 1), fullName.substring(0, dot), properties, moreFields);
  }
}
