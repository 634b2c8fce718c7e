package dev.tally.runtime.writer.toy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.CompatibilityGate;
import dev.tally.schemas.SchemaCatalog;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The toy's schemas obey the gate the shared ones do, from their own history in this module's
 * test resources, which the catalog reads beside the shared history.
 */
class CounterSchemasTest {

  private static final List<Schema> SCHEMAS = List.of(Increment.SCHEMA$, Reset.SCHEMA$, Incremented.SCHEMA$,
      WasReset.SCHEMA$, CounterSnapshot.SCHEMA$);

  @Test
  void everyToyRecordIsRecordedAsTheLatestVersionOfItsHistory() {
    SchemaCatalog catalog = SchemaCatalog.classpath();
    assertThat(SCHEMAS.stream().flatMap(schema -> {
      List<Schema> versions = catalog.versions(schema.getFullName());
      return Stream.concat(CompatibilityGate.unrecorded(schema, versions).stream(),
          CompatibilityGate.violations(versions).stream());
    })).isEmpty();
  }
}
