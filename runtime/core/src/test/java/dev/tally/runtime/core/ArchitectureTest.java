package dev.tally.runtime.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The runtime core is plain Java, so that every aggregate's domain can depend on it and on nothing else. */
@AnalyzeClasses(packages = "dev.tally.runtime.core", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule onlyJavaAndItself = classes()
      .that().resideInAPackage("dev.tally.runtime.core..")
      .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.tally.runtime.core..");
}
