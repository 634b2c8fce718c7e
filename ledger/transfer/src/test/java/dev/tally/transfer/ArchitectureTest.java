package dev.tally.transfer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The transfer's rules are plain Java: only the JDK, the generic runtime core, and the account's
 * rules, whose leg commands the transfer process sends. The runtime knows no transfer.
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
          "dev.tally.transfer.domain..", "dev.tally.account.domain..");

  @ArchTest
  static final ArchRule theRuntimeKnowsNoAggregate = noClasses()
      .that().resideInAPackage("dev.tally.runtime..")
      .should().dependOnClassesThat().resideInAPackage("dev.tally.transfer..");
}
