package dev.tally.account;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The account's rules are plain Java: no framework, no serialization library, no messaging client;
 * only the JDK and the generic runtime core. The runtime, in turn, knows no aggregate: of the
 * account slice it sees nothing, whichever face.
 */
@AnalyzeClasses(packages = {"dev.tally.account", "dev.tally.runtime"},
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noFrameworks = noClasses()
      .that().resideInAPackage("dev.tally.account.domain..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "org.springframework..", "org.apache.kafka..", "org.apache.avro..",
          "jakarta..", "com.fasterxml..", "tools.jackson..");

  @ArchTest
  static final ArchRule onlyJavaTheRuntimeCoreAndItself = classes()
      .that().resideInAPackage("dev.tally.account.domain..")
      .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.tally.runtime.core..",
          "dev.tally.account.domain..");

  @ArchTest
  static final ArchRule theRuntimeKnowsNoAggregate = noClasses()
      .that().resideInAPackage("dev.tally.runtime..")
      .should().dependOnClassesThat().resideInAPackage("dev.tally.account..");
}
