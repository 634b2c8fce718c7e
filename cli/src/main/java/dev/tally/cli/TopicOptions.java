package dev.tally.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --topic [TYPE=]TOPIC}: the events topics a command reads, for the commands that read every projection's. */
final class TopicOptions {

  @Option(names = "--topic", paramLabel = "[TYPE=]TOPIC", description = EventTopics.OPTION_DESCRIPTION)
  private List<String> topics = new ArrayList<>();

  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  /** The topics of {@code types}: a usage error (exit 2) if the options do not fit them. */
  EventTopics of(List<String> types) {
    try {
      return EventTopics.parse(topics, types);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(mixee.commandLine(), e.getMessage());
    }
  }
}
