package dev.tally.chaos;

import dev.tally.chaos.Traffic.Service;

/**
 * The faults a run injects, in this order: each service killed (SIGKILL) and started again with
 * {@code ./tally up}, the broker paused (SIGSTOP, then SIGCONT), PostgreSQL's server killed and
 * started again. Each names what must work again for the stack to count as recovered.
 */
enum Fault {
  COMMAND_API("command-api", "kill -9 command API", Service.WRITE),
  PROJECTOR("projector", "kill -9 projector", Service.READABLE_WRITE),
  QUERY_API("query-api", "kill -9 query API", Service.READ),
  BROKER("kafka", "kill -9 Kafka broker", Service.WRITE),
  BROKER_PAUSE("kafka-pause", "SIGSTOP Kafka broker", Service.WRITE),
  POSTGRES("postgres", "kill -9 PostgreSQL", Service.READABLE_WRITE);

  /** Its name on the command line ({@code --faults}). */
  final String option;
  final String title;
  /** Recovered when: a command is accepted, a read answered, or a write first sent after the restart is readable. */
  final Service recovery;

  Fault(String option, String title, Service recovery) {
    this.option = option;
    this.title = title;
    this.recovery = recovery;
  }

  static Fault of(String option) {
    for (Fault fault : values()) {
      if (fault.option.equals(option)) {
        return fault;
      }
    }
    throw new IllegalArgumentException("unknown fault " + option + "; faults are " + options());
  }

  static String options() {
    return String.join(",", java.util.Arrays.stream(values()).map(fault -> fault.option).toList());
  }
}
