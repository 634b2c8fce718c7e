package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class CompatibilityGateTest {

  private static Schema schema(String fields) {
    return new Schema.Parser().parse("""
        {"type": "record", "name": "Sample", "namespace": "t", "tally.type": "sample", "fields": [%s]}
        """.formatted(fields));
  }

  private static final Schema V1 = schema("""
      {"name": "amount", "type": "long"}""");

  @Test
  void addingAFieldWithADefaultPasses() {
    Schema v2 = schema("""
        {"name": "amount", "type": "long"}, {"name": "note", "type": "string", "default": ""}""");
    assertThat(CompatibilityGate.violations(List.of(V1, v2))).isEmpty();
  }

  @Test
  void addingAFieldWithoutADefaultIsNotBackwardCompatible() {
    Schema v2 = schema("""
        {"name": "amount", "type": "long"}, {"name": "note", "type": "string"}""");
    assertThat(CompatibilityGate.violations(List.of(V1, v2)))
        .singleElement().asString().contains("not backward compatible");
  }

  @Test
  void removingAFieldWithoutADefaultIsNotForwardCompatible() {
    Schema v2 = schema("""
        {"name": "note", "type": "string", "default": ""}""");
    assertThat(CompatibilityGate.violations(List.of(V1, v2)))
        .singleElement().asString().contains("not forward compatible");
  }

  @Test
  void changingATypeIncompatiblyFailsBothWays() {
    Schema v2 = schema("""
        {"name": "amount", "type": "string"}""");
    assertThat(CompatibilityGate.violations(List.of(V1, v2))).hasSize(2);
  }

  @Test
  void everyEarlierVersionIsChecked() {
    Schema v2 = schema("""
        {"name": "amount", "type": "long"}, {"name": "note", "type": "string", "default": ""}""");
    Schema v3 = schema("""
        {"name": "amount", "type": "long"}, {"name": "note", "type": "string"}""");
    assertThat(CompatibilityGate.violations(List.of(V1, v2, v3)))
        .anyMatch(problem -> problem.contains("v3 / v1"))
        .noneMatch(problem -> problem.contains("v3 / v2"));
  }

  @Test
  void renamingTheWireTypeFails() {
    Schema v2 = new Schema.Parser().parse("""
        {"type": "record", "name": "Sample", "namespace": "t", "tally.type": "renamed",
         "fields": [{"name": "amount", "type": "long"}]}
        """);
    assertThat(CompatibilityGate.violations(List.of(V1, v2)))
        .singleElement().asString().contains("wire type name changed");
  }

  @Test
  void theCurrentSchemaMustBeTheLatestRecordedVersion() {
    Schema v2 = schema("""
        {"name": "amount", "type": "long"}, {"name": "note", "type": "string", "default": ""}""");
    assertThat(CompatibilityGate.unrecorded(V1, List.of(V1))).isEmpty();
    assertThat(CompatibilityGate.unrecorded(v2, List.of(V1))).get().asString()
        .contains("t.Sample changed: record it as history/t.Sample/v2.avsc");
    assertThat(CompatibilityGate.unrecorded(V1, List.of())).get().asString().contains("t.Sample has no history");
  }

  /** The wire type is in the record header, not in the fingerprint: an edit must not slip past the gate. */
  @Test
  void aCurrentSchemaThatRenamesItsWireTypeIsNotTheRecordedOne() {
    Schema renamed = new Schema.Parser().parse("""
        {"type": "record", "name": "Sample", "namespace": "t", "tally.type": "renamed",
         "fields": [{"name": "amount", "type": "long"}]}
        """);
    assertThat(CompatibilityGate.unrecorded(renamed, List.of(V1))).get().asString()
        .contains("wire type", "sample", "renamed");
  }
}
