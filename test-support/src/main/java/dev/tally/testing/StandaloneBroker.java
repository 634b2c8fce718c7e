package dev.tally.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A KRaft broker of a test's own, in a child JVM started from the Kafka jars on the test
 * classpath, so that a test can make the broker unreachable ({@link #freeze()}, SIGSTOP: it
 * neither answers nor closes connections) and bring it back ({@link #thaw()}) without
 * disturbing the shared broker other tests use.
 */
public final class StandaloneBroker implements AutoCloseable {

  private final Process process;
  private final String bootstrapServers;

  private StandaloneBroker(Process process, String bootstrapServers) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
  }

  public static StandaloneBroker start(Path dir) throws IOException, InterruptedException {
    int port = freePort();
    int controller = freePort();
    Path config = dir.resolve("server.properties");
    Files.writeString(config, String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.bootstrap.servers=127.0.0.1:" + controller,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs=" + dir.resolve("logs"),
        "auto.create.topics.enable=false",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        ""));
    Process format = java(dir.resolve("format.log"), "kafka.tools.StorageTool", "format", "--standalone",
        "-t", Uuid.randomUuid().toString(), "-c", config.toString());
    if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
      throw new IllegalStateException("formatting the broker's log directory failed: " + tail(dir.resolve("format.log")));
    }
    Path log = dir.resolve("broker.log");
    StandaloneBroker broker = new StandaloneBroker(java(log, "kafka.Kafka", config.toString()), "127.0.0.1:" + port);
    // A bound, not a wait: on a busy machine a broker JVM can take minutes to come up.
    Await.until(Duration.ofMinutes(3), "the standalone broker answers", () -> {
      if (!broker.process.isAlive()) {
        throw new IllegalStateException("the standalone broker exited: " + tail(log));
      }
      return broker.answers();
    });
    return broker;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public void createTopics(int partitions, String... names) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(names).stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList())
          .all().get(30, TimeUnit.SECONDS);
    }
  }

  /** Stops the broker process dead (SIGSTOP): connections stay open and nothing is answered. */
  public void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Lets a frozen broker go on (SIGCONT). */
  public void thaw() throws IOException, InterruptedException {
    signal("CONT");
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  private boolean answers() {
    try (Admin admin = admin()) {
      admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " failed");
    }
  }

  private static Process java(Path log, String mainClass, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-cp", classpath(),
        mainClass));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Surefire runs tests from a manifest-only jar; the real class path is in its own property. */
  private static String classpath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
