package dev.tally.runtime.writer;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.CommandResult;
import dev.tally.schemas.command.Outcome;
import dev.tally.schemas.command.RecordedResult;
import dev.tally.schemas.event.EventMetadata;

/**
 * The service runtime is the same for every aggregate: of the wire types it knows only the
 * envelopes every command and event travels in, never an aggregate's own commands, events or state;
 * and it never reaches into the ledger's slices.
 */
@AnalyzeClasses(packages = "dev.tally.runtime", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule onlyTheEnvelopes = noClasses()
      .that().resideInAPackage("dev.tally.runtime..")
      .should().dependOnClassesThat(
          resideInAnyPackage("dev.tally.schemas.command..", "dev.tally.schemas.event..", "dev.tally.schemas.state..")
              .and(not(belongToAnyOf(CommandMetadata.class, CommandResult.class, Outcome.class, RecordedResult.class,
                  EventMetadata.class))));

  @ArchTest
  static final ArchRule noSlice = noClasses()
      .that().resideInAPackage("dev.tally.runtime..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.tally.account..", "dev.tally.ledger..");
}
