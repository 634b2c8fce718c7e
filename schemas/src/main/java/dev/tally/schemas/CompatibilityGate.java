package dev.tally.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * The rule every schema history must obey: each version can read data written by every earlier
 * version (backward) and every earlier version can read data written by it (forward), and the
 * stable wire type name never changes; and the schema the code is generated from is the latest
 * recorded version, wire type included.
 */
public final class CompatibilityGate {

  private CompatibilityGate() {
  }

  /** Every violation in one record type's history, oldest version first; empty when it passes. */
  public static List<String> violations(List<Schema> versions) {
    List<String> problems = new ArrayList<>();
    for (int later = 1; later < versions.size(); later++) {
      for (int earlier = 0; earlier < later; earlier++) {
        Schema newer = versions.get(later);
        Schema older = versions.get(earlier);
        String pair = newer.getFullName() + " v" + (later + 1) + " / v" + (earlier + 1);
        check(problems, "backward", pair, newer, older);
        check(problems, "forward", pair, older, newer);
        if (!Objects.equals(SchemaCatalog.wireType(newer), SchemaCatalog.wireType(older))) {
          problems.add(pair + ": wire type name changed from " + SchemaCatalog.wireType(older).orElse("(none)")
              + " to " + SchemaCatalog.wireType(newer).orElse("(none)"));
        }
      }
    }
    return problems;
  }

  /**
   * What is wrong with {@code current}, a generated message type's schema, as the newest entry of
   * its recorded {@code versions}; empty when it is recorded.
   */
  public static Optional<String> unrecorded(Schema current, List<Schema> versions) {
    String name = current.getFullName();
    if (versions.isEmpty()) {
      return Optional.of(name + " has no history: add history/" + name + "/v1.avsc");
    }
    if (!SchemaNormalization.toParsingForm(versions.getLast()).equals(SchemaNormalization.toParsingForm(current))) {
      return Optional.of(name + " changed: record it as history/" + name + "/v" + (versions.size() + 1)
          + ".avsc (and in the index), with a golden sample");
    }
    // The parsing canonical form (and so the fingerprint) leaves custom properties out: compared on its own.
    Optional<String> recorded = SchemaCatalog.wireType(versions.getLast());
    if (!recorded.equals(SchemaCatalog.wireType(current))) {
      return Optional.of(name + ": wire type name changed from " + recorded.orElse("(none)") + " to "
          + SchemaCatalog.wireType(current).orElse("(none)") + ": the " + SchemaCatalog.TYPE_PROPERTY
          + " of a type never changes (it is in every record's header)");
    }
    return Optional.empty();
  }

  private static void check(List<String> problems, String direction, String pair, Schema reader, Schema writer) {
    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    if (result.getCompatibility() != SchemaCompatibilityType.COMPATIBLE) {
      problems.add(pair + ": not " + direction + " compatible: " + result.getIncompatibilities());
    }
  }
}
