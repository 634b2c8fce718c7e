package dev.tally.projector;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The projection runtime serves every projection, and only one of its classes leans on Kafka Streams' internals. */
@AnalyzeClasses(packages = "dev.tally.projector", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule theRuntimeKnowsNoProjection = noClasses()
      .that().resideInAPackage("dev.tally.projector.runtime..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.tally.projector.account..", "dev.tally.account..");

  /** The store's flush hook ({@code CachedStateStore}, ADR 9): the one place to change when Kafka Streams does. */
  @ArchTest
  static final ArchRule streamsInternalsInOneClass = noClasses()
      .that().haveNameNotMatching("dev\\.tally\\.projector\\.runtime\\.ProjectionStore(\\$.*)?")
      .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka.streams..internals..");
}
