package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The build-time gate: every schema change is recorded as a new version compatible with all before it. */
class SchemaHistoryTest {

  private final SchemaCatalog catalog = SchemaCatalog.classpath();

  @Test
  void everyGeneratedMessageTypeHasItsCurrentSchemaRecordedAsTheLatestVersion() throws Exception {
    List<String> problems = new ArrayList<>();
    for (Schema current : generatedMessageSchemas()) {
      CompatibilityGate.unrecorded(current, catalog.versions(current.getFullName())).ifPresent(problems::add);
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyVersionIsBackwardAndForwardCompatibleWithEveryEarlierOne() {
    List<String> problems = catalog.names().stream()
        .flatMap(name -> CompatibilityGate.violations(catalog.versions(name)).stream())
        .toList();
    assertThat(problems).isEmpty();
  }

  @Test
  void everyMessageTypeDeclaresAUniqueStableWireName() {
    Set<String> seen = new HashSet<>();
    for (String name : catalog.names()) {
      String wire = SchemaCatalog.wireType(catalog.latest(name).orElseThrow()).orElse(null);
      assertThat(wire).as("wire type of %s", name).isNotBlank().doesNotContain("dev.tally");
      assertThat(seen.add(wire)).as("wire type %s is unique", wire).isTrue();
    }
  }

  /** Top-level records (those with a wire type) generated from src/main/avro, found on disk. */
  private static List<Schema> generatedMessageSchemas() throws IOException, URISyntaxException, ReflectiveOperationException {
    Path classes = Path.of(SchemaCatalog.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Schema> schemas = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")).toList()) {
        String className = classes.relativize(file).toString().replace('/', '.').replace(".class", "");
        Class<?> type = Class.forName(className);
        if (SpecificRecord.class.isAssignableFrom(type)) {
          Schema schema = (Schema) type.getField("SCHEMA$").get(null);
          if (SchemaCatalog.wireType(schema).isPresent()) {
            schemas.add(schema);
          }
        }
      }
    }
    assertThat(schemas).as("generated message types").isNotEmpty();
    return schemas;
  }
}
