package dev.tally.domain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The domain is plain Java: no framework, no serialization library, no messaging client; only the
 * JDK and the generic runtime core, which in turn knows no aggregate.
 */
@AnalyzeClasses(packages = {"dev.tally.domain", "dev.tally.runtime.core"},
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noFrameworks = noClasses()
      .that().resideInAPackage("dev.tally.domain..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "org.springframework..", "org.apache.kafka..", "org.apache.avro..",
          "jakarta..", "com.fasterxml..", "tools.jackson..");

  @ArchTest
  static final ArchRule onlyJavaTheRuntimeCoreAndItself = classes()
      .that().resideInAPackage("dev.tally.domain..")
      .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.tally.runtime.core..", "dev.tally.domain..");

  @ArchTest
  static final ArchRule theRuntimeCoreKnowsNoAggregate = noClasses()
      .that().resideInAPackage("dev.tally.runtime..")
      .should().dependOnClassesThat().resideInAPackage("dev.tally.domain..");
}
