package dev.tally.cli;

import picocli.CommandLine.Option;

/** Options every subcommand that talks to Kafka shares (a picocli mixin). */
public final class KafkaOptions {

  static final String ENV = "TALLY_BOOTSTRAP_SERVERS";
  static final String DEFAULT = "127.0.0.1:9092";

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      description = "Kafka brokers (default: $TALLY_BOOTSTRAP_SERVERS, else " + DEFAULT + ").")
  private String bootstrapServers;

  public String bootstrapServers() {
    if (bootstrapServers != null && !bootstrapServers.isBlank()) {
      return bootstrapServers;
    }
    String fromEnv = System.getenv(ENV);
    return fromEnv == null || fromEnv.isBlank() ? DEFAULT : fromEnv;
  }

  /** Connects, or fails within a bounded time with a one-line message. */
  public Kafka connect() {
    return Kafka.connect(bootstrapServers());
  }
}
