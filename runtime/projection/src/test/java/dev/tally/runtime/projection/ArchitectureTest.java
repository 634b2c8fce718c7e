package dev.tally.runtime.projection;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The projection runtime serves every projection, and only one of its classes leans on Kafka Streams' internals. */
@AnalyzeClasses(packages = "dev.tally", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final DescribedPredicate<JavaClass> NAMING_AN_ACCOUNT = DescribedPredicate.describe(
      "name or package mentions account", type -> type.getName().toLowerCase(java.util.Locale.ROOT).contains("account"));

  @ArchTest
  static final ArchRule theRuntimeNamesNoAggregate = noClasses()
      .that().resideInAPackage("dev.tally.runtime..")
      .should().dependOnClassesThat(NAMING_AN_ACCOUNT)
      .orShould().dependOnClassesThat().resideInAnyPackage("dev.tally.projector..", "dev.tally.account..", "dev.tally.transfer..", "dev.tally.ledger..",
          "dev.tally.schemas..");

  /**
   * The store's flush hook ({@code CachedStateStore}, ADR 9) is in the store adapter alone, not in
   * the task, its writer or its transaction: the one place to change when Kafka Streams does.
   */
  @ArchTest
  static final ArchRule streamsInternalsInOneClass = noClasses()
      .that().haveNameNotMatching("dev\\.tally\\.runtime\\.projection\\.ProjectionStore(\\$.*)?")
      .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka.streams.state.internals..");

  @ArchTest
  static final ArchRule streamsInternalsAreUsedAtAll = classes()
      .that().haveNameMatching("dev\\.tally\\.runtime\\.projection\\.ProjectionStore")
      .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka.streams.state.internals..");
}
