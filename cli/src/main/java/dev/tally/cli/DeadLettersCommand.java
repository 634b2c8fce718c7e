package dev.tally.cli;

import dev.tally.runtime.projection.LogReader;
import dev.tally.runtime.projection.Projection;
import dev.tally.runtime.projection.ProjectionTables;
import dev.tally.runtime.projection.Redrive;
import dev.tally.runtime.projection.Generation;
import dev.tally.runtime.projection.Generations;
import dev.tally.runtime.projection.ReadModelSchemas;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally dead-letters}: the keys the read model holds back, and what an operator can do
 * about them. The truth is each generation's {@code parked_keys} table (which key, from which
 * record, why); the records are read from the events topic itself.
 *
 * <ul>
 *   <li>{@code list}: parked keys with their reason, per generation;
 *   <li>{@code show KEY}: the record that parked a key and the key's records held back since;
 *   <li>{@code redrive KEY}: applies the key's records, in order, through this build's projection
 *       code and schemas, and un-parks it;
 *   <li>{@code skip KEY --reason TEXT}: the same, passing over the parked record (or others), which
 *       every later generation and rebuild then passes over too.
 * </ul>
 * {@code redrive} and {@code skip} are dry runs unless {@code --execute}, and refuse (changing
 * nothing) a record that still fails with this build, a gap a skip would leave, a generation that
 * is neither live nor being built, a key the projector has not reached yet. How they stay safe with
 * the projector running: ADR 0022.
 */
@Command(
    name = "dead-letters",
    mixinStandardHelpOptions = true,
    description = {
        "Keys the read model holds back (parked) behind a record it could not apply, and what to do about them.",
        "",
        "list, show a key, re-drive a key through this build's code (redrive), or pass over a record (skip). "
            + "redrive and skip are dry runs unless --execute."},
    subcommands = {DeadLettersCommand.ListKeys.class, DeadLettersCommand.Show.class, DeadLettersCommand.RedriveKey.class,
        DeadLettersCommand.Skip.class})
final class DeadLettersCommand implements Runnable {

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: list, show, redrive or skip");
  }

  /** What every subcommand shares: the brokers, the database, the projections and their topics, the generation. */
  abstract static class Base implements Callable<Integer> {

    final Registry registry;

    @Mixin
    KafkaOptions kafkaOptions;

    @Mixin
    DatabaseOptions database;

    @Mixin
    TopicOptions topicOptions;

    @Option(names = "--projection", paramLabel = "NAME",
        description = "A registered projection (default: list: every one; a key: the one that parked it).")
    String projectionName;

    @Option(names = "--generation", paramLabel = "N",
        description = "The read model's generation (default: the live one; list: every live or building one).")
    Integer generation;

    @Spec
    CommandSpec spec;

    Base(Registry registry) {
      this.registry = registry;
    }

    /** The registered projections, or the one {@code --projection} names. */
    List<Projection<?>> projections() {
      List<Projection<?>> all = registry.projections();
      if (projectionName == null) {
        return all;
      }
      return List.of(all.stream().filter(p -> p.name().equals(projectionName)).findFirst()
          .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "--projection " + projectionName
              + " is not one of the registered projections " + all.stream().map(Projection::name).toList())));
    }

    /** The events topic {@code projection} reads. */
    String topic(Projection<?> projection) {
      return topicOptions.of(registry.projectedTypes()).of(projection.sourceAggregateType());
    }

    Generations generations(DataSource db) {
      return new Generations(db, database.readerRole(), registry.projections());
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    /** The chosen generation, which must be live or being built (a retired or failed one has no tables). */
    Generation generation(Generations generations) {
      List<Generation> all = generations.all();
      if (all.isEmpty()) {
        throw new CliException("no read model in " + database.url() + " yet: start the projector once (./tally up)");
      }
      Generation chosen = generation == null
          ? all.stream().filter(g -> g.state() == Generation.State.LIVE).findFirst()
              .orElseThrow(() -> new CliException("no generation of the read model is live"))
          : all.stream().filter(g -> g.number() == generation).findFirst()
              .orElseThrow(() -> new CliException("there is no generation " + generation));
      if (!chosen.state().projected()) {
        throw new CliException("generation " + chosen.number() + " is " + chosen.state()
            + ": only a live generation or one being built is projected, and has parked keys to act on");
      }
      return chosen;
    }

    static String describe(Generation generation) {
      return "generation " + generation.number() + " (" + generation.schema() + ", " + generation.state() + ")";
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Parked keys with their reason, per live or building generation.")
  static final class ListKeys extends Base {

    ListKeys(Registry registry) {
      super(registry);
    }


    @Override
    public Integer call() throws SQLException {
      DataSource db = database.connect();
      Generations generations = generations(db);
      List<Generation> chosen = generation != null ? List.of(generation(generations))
          : generations.projected();
      if (chosen.isEmpty()) {
        throw new CliException("no read model in " + database.url() + " yet: start the projector once (./tally up)");
      }
      PrintWriter out = out();
      try (Connection connection = db.getConnection()) {
        for (Generation g : chosen) {
          Table table = new Table("PROJECTION", "KEY", "PARTITION", "OFFSET", "KIND", "PARKED-AT", "PARKED-BY", "REASON");
          int parked = 0;
          for (Projection<?> projection : projections()) {
            for (ProjectionTables.ParkedKey key : ProjectionTables.parkedKeys(connection, g.schema(), projection.name(),
                topic(projection))) {
              table.row(projection.name(), key.key(), key.partition(), key.offset(), key.kind(), key.parkedAt(),
                  key.parkedBy(), key.reason());
              parked++;
            }
          }
          if (parked == 0) {
            out.printf("%s: no parked keys%n", describe(g));
            continue;
          }
          out.printf("%s: %d parked key(s)%n", describe(g), parked);
          table.print(out, "  ");
        }
      }
      out.flush();
      return TallyCli.OK;
    }
  }

  /** What the subcommands that read a key's records share. */
  abstract static class KeyCommand extends Base {

    @Parameters(index = "0", paramLabel = "KEY", description = "The parked key (an aggregate id).")
    String key;

    @Option(names = "--notify-channel", paramLabel = "CHANNEL",
        description = "The channel the query API listens on, told when re-driven events are in (default: ${DEFAULT-VALUE}).")
    String notifyChannel = ReadModelSchemas.NOTIFY_CHANNEL;

    KeyCommand(Registry registry) {
      super(registry);
    }

    /** The projection that parked the key in {@code chosen}, and where. */
    record Parked(Projection<?> projection, ProjectionTables.ParkedKey key) {
    }

    /** Which projection parked the key in {@code chosen}: refused if none did, or several and none was named. */
    Parked parked(DataSource db, Generation chosen) throws SQLException {
      List<Parked> found = new ArrayList<>();
      try (Connection connection = db.getConnection()) {
        for (Projection<?> projection : projections()) {
          ProjectionTables.parkedKey(connection, chosen.schema(), projection.name(), topic(projection), key)
              .ifPresent(parked -> found.add(new Parked(projection, parked)));
        }
      }
      if (found.isEmpty()) {
        throw new CliException("key " + key + " is not parked in " + describe(chosen)
            + " (tally dead-letters list shows the parked keys)");
      }
      if (found.size() > 1) {
        throw new CliException("key " + key + " is parked by projections " + found.stream()
            .map(p -> p.projection().name()).toList() + " in " + describe(chosen) + ": choose one with --projection");
      }
      return found.getFirst();
    }

    /** The plan for the key (its records up to the checkpoint and what would happen to each), and runs {@code then}. */
    int withPlan(Set<Long> skip, PlanAction then) throws SQLException {
      DataSource db = database.connect();
      Generation chosen = generation(generations(db));
      Projection<?> projection = parked(db, chosen).projection();
      String topic = topic(projection);
      try (Kafka kafka = kafkaOptions.connect();
           LogReader reader = new LogReader(kafkaOptions.bootstrapServers(), "tally-cli-dead-letters",
               Duration.ofSeconds(30))) {
        kafka.partitions(topic);
        Redrive<?> redrive = redrive(db, chosen, projection, topic, reader);
        Redrive.Plan plan = redrive.plan(key, skip).orElseThrow(() -> new CliException("key " + key
            + " is not parked in " + describe(chosen) + " (tally dead-letters list shows the parked keys)"));
        return then.run(chosen, topic, redrive, plan);
      }
    }

    private <E> Redrive<E> redrive(DataSource db, Generation chosen, Projection<E> of, String topic, LogReader reader) {
      return new Redrive<>(db, chosen.schema(), chosen.number(), topic, of, reader, notifyChannel);
    }

    void printSteps(List<Redrive.Step> steps) {
      Table table = new Table("OFFSET", "VERSION", "EVENT", "ACTION", "DETAIL");
      for (Redrive.Step step : steps) {
        table.row(step.offset(), step.version(), step.event(), step.action().name().toLowerCase(Locale.ROOT),
            shorten(step.detail()));
      }
      table.print(out(), "  ");
    }

    private static String shorten(String text) {
      return text.length() <= 160 ? text : text.substring(0, 157) + "...";
    }

    @FunctionalInterface
    interface PlanAction {
      int run(Generation generation, String topic, Redrive<?> redrive, Redrive.Plan plan) throws SQLException;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "The record that parked a key, and the key's records held back since, as this build reads them.")
  static final class Show extends KeyCommand {

    Show(Registry registry) {
      super(registry);
    }


    @Override
    public Integer call() throws SQLException {
      return withPlan(Set.of(), (chosen, topic, redrive, plan) -> {
        PrintWriter out = out();
        ProjectionTables.ParkedKey parked = plan.parked();
        out.printf("Key %s in %s: parked at %s-%d@%d by %s at %s%n", parked.key(), describe(chosen), topic,
            parked.partition(), parked.offset(), parked.parkedBy() == null ? "-" : parked.parkedBy(), parked.parkedAt());
        out.printf("Reason: %s%n", parked.reason());
        Optional<ConsumerRecord<byte[], byte[]>> record = plan.records().stream()
            .filter(r -> r.offset() == parked.offset()).findFirst();
        record.ifPresent(r -> {
          out.printf("Record: timestamp %d, %d bytes: %s%n", r.timestamp(), r.value() == null ? 0 : r.value().length,
              preview(r.value()));
          for (Header header : r.headers()) {
            out.printf("  header %s = %s%n", header.key(), new String(header.value(), StandardCharsets.UTF_8));
          }
        });
        out.printf("Records of the key up to the checkpoint (%d), as this build reads them:%n", plan.checkpoint());
        printSteps(plan.steps());
        out.println(plan.refusal().map(why -> "A re-drive would be refused: " + why)
            .orElse("A re-drive would apply them (tally dead-letters redrive " + parked.key() + ")."));
        out.flush();
        return TallyCli.OK;
      });
    }

    private static String preview(byte[] value) {
      if (value == null) {
        return "(null)";
      }
      byte[] head = value.length <= 48 ? value : Arrays.copyOf(value, 48);
      return HexFormat.ofDelimiter(" ").formatHex(head) + (value.length > 48 ? " ..." : "");
    }
  }

  /** What redrive and skip share: the plan, a dry run, the refusals, the execution. */
  abstract static class Apply extends KeyCommand {

    Apply(Registry registry) {
      super(registry);
    }


    @Option(names = "--execute", description = "Apply the plan. Without it, print the plan and change nothing.")
    boolean execute;

    int apply(Set<Long> skip, String reason, String done) throws SQLException {
      return withPlan(skip, (chosen, topic, redrive, plan) -> {
        PrintWriter out = out();
        ProjectionTables.ParkedKey parked = plan.parked();
        out.printf("%s: plan to %s key %s in %s, partition %d, records %d..%d (the checkpoint)%n",
            execute ? "Executing" : "Dry run", skip.isEmpty() ? "re-drive" : "skip " + skip + " of", parked.key(),
            describe(chosen), parked.partition(), parked.offset(), plan.checkpoint());
        printSteps(plan.steps());
        out.flush();
        refuseIf(plan);
        if (!execute) {
          out.printf("Then key %s is no longer parked: the projector applies its later records.%n", parked.key());
          out.println("Dry run: nothing changed. Run again with --execute to apply this plan.");
          out.flush();
          return TallyCli.OK;
        }
        Redrive.Plan carried = redrive.execute(plan, skip, reason, System.getProperty("user.name"));
        if (carried.steps().size() > plan.steps().size()) {
          out.println("Records the projector passed meanwhile:");
          printSteps(carried.steps().subList(plan.steps().size(), carried.steps().size()));
        }
        refuseIf(carried);
        out.printf("%s key %s in %s: applied %d event(s), %d already applied, skipped %d, up to offset %d; the key is"
            + " live again%n", done, parked.key(), describe(chosen), carried.count(Redrive.Action.APPLY),
            carried.count(Redrive.Action.DUPLICATE), carried.count(Redrive.Action.SKIP), carried.checkpoint());
        out.flush();
        return TallyCli.OK;
      });
    }

    private static void refuseIf(Redrive.Plan plan) {
      plan.refusal().ifPresent(why -> {
        throw new CliException("refused: " + why + "; nothing changed");
      });
    }
  }

  @Command(name = "redrive", mixinStandardHelpOptions = true,
      description = {"Apply a parked key's records, in order, through this build's projection code and schemas, and"
          + " un-park it.", "Dry run unless --execute. Refused if a record still fails, or does not follow the"
          + " aggregate's version."})
  static final class RedriveKey extends Apply {

    RedriveKey(Registry registry) {
      super(registry);
    }


    @Override
    public Integer call() throws SQLException {
      return apply(Set.of(), null, "re-drove");
    }
  }

  @Command(name = "skip", mixinStandardHelpOptions = true,
      description = {"Pass over the record that parked a key (or the records at --offset), recorded with a reason that"
          + " every later generation and rebuild honours, then re-drive the key.",
          "Dry run unless --execute. Refused if passing over the record leaves a gap in the aggregate's versions."})
  static final class Skip extends Apply {

    Skip(Registry registry) {
      super(registry);
    }


    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (kept in the audit trail).")
    String reason;

    @Option(names = "--offset", paramLabel = "OFFSET",
        description = "A record of the key to pass over (repeatable; default: the parked record).")
    List<Long> offsets = new ArrayList<>();

    @Override
    public Integer call() throws SQLException {
      if (reason.isBlank()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--reason must say why");
      }
      Set<Long> skip = new LinkedHashSet<>(offsets);
      if (skip.isEmpty()) {
        DataSource db = database.connect();
        skip.add(parked(db, generation(generations(db))).key().offset());
      }
      return apply(skip, reason, "skipped " + skip + " of");
    }
  }
}
