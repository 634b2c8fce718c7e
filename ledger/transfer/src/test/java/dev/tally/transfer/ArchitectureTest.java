package dev.tally.transfer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The transfer's rules are plain Java: only the JDK and the generic runtime core. The transfer
 * knows the account only through the account's published schemas (its wire mapping sends legs as
 * the account's commands): no class of the transfer slice depends on the account slice. The
 * runtime knows no transfer.
 */
@AnalyzeClasses(packages = {"dev.tally.transfer", "dev.tally.runtime"},
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noFrameworks = noClasses()
      .that().resideInAPackage("dev.tally.transfer.domain..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "org.springframework..", "org.apache.kafka..", "org.apache.avro..",
          "jakarta..", "com.fasterxml..", "tools.jackson..");

  @ArchTest
  static final ArchRule onlyJavaTheRuntimeCoreAndItself = classes()
      .that().resideInAPackage("dev.tally.transfer.domain..")
      .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.tally.runtime.core..",
          "dev.tally.transfer.domain..");

  @ArchTest
  static final ArchRule slicesMeetOnlyThroughPublishedSchemas = noClasses()
      .that().resideInAPackage("dev.tally.transfer..")
      .should().dependOnClassesThat().resideInAPackage("dev.tally.account..");

  @ArchTest
  static final ArchRule theRuntimeKnowsNoAggregate = noClasses()
      .that().resideInAPackage("dev.tally.runtime..")
      .should().dependOnClassesThat().resideInAPackage("dev.tally.transfer..");
}
