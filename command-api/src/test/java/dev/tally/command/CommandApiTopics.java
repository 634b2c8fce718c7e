package dev.tally.command;

import dev.tally.schemas.Writers;
import dev.tally.testing.TestInfrastructure;
import java.nio.file.Path;
import java.util.List;

/** A fresh set of topics and a writer application id of their own, for one test class. */
record CommandApiTopics(String commands, String results, String events, String applicationId, Path stateRoot) {

  static CommandApiTopics create(int partitions, Path stateRoot) {
    List<String> names = TestInfrastructure.createTopics(partitions, "commands", "results", "events");
    return new CommandApiTopics(names.get(0), names.get(1), names.get(2), TestInfrastructure.uniqueName("account") + Writers.SUFFIX,
        stateRoot);
  }

  String stateDir(String instance) {
    return stateRoot.resolve(instance).toString();
  }
}
