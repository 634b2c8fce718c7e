package dev.tally.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Kafka's own limits on this machine: {@code org.apache.kafka.tools.ProducerPerformance} and
 * {@code ConsumerPerformance} from the kafka-tools jar, run as child JVMs (as {@code
 * kafka-producer-perf-test.sh} would) on a scratch topic with as many partitions as the events
 * topic and records of the size of a real encoded event. The scratch topic is deleted afterwards.
 */
final class KafkaLimits {

  static final String TOPIC = "tally.bench.scratch";
  private static final Pattern PRODUCER_SUMMARY = Pattern.compile(
      "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency"
          + "(?:, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th)?");

  private KafkaLimits() {
  }

  /** The producer's final summary line, parsed. */
  record ProducerFigures(long records, double recordsPerSecond, double megabytesPerSecond, double avgLatencyMs,
      double maxLatencyMs, Double p50Ms, Double p99Ms) {
  }

  static Optional<ProducerFigures> parseProducer(String output) {
    ProducerFigures last = null;
    Matcher matcher = PRODUCER_SUMMARY.matcher(output);
    while (matcher.find()) {
      last = new ProducerFigures(Long.parseLong(matcher.group(1)), Double.parseDouble(matcher.group(2)),
          Double.parseDouble(matcher.group(3)), Double.parseDouble(matcher.group(4)), Double.parseDouble(matcher.group(5)),
          matcher.group(6) == null ? null : Double.valueOf(matcher.group(6)),
          matcher.group(8) == null ? null : Double.valueOf(matcher.group(8)));
    }
    return Optional.ofNullable(last);
  }

  /** ConsumerPerformance's header line and the data line under it, as a name-to-value map. */
  static Map<String, String> parseConsumer(String output) {
    List<String> lines = output.lines().map(String::strip).toList();
    for (int i = 0; i < lines.size() - 1; i++) {
      if (lines.get(i).startsWith("start.time")) {
        List<String> names = Arrays.stream(lines.get(i).split(",")).map(String::strip).toList();
        List<String> values = Arrays.stream(lines.get(i + 1).split(",")).map(String::strip).toList();
        Map<String, String> row = new LinkedHashMap<>();
        for (int c = 0; c < Math.min(names.size(), values.size()); c++) {
          row.put(names.get(c), values.get(c));
        }
        return row;
      }
    }
    return Map.of();
  }

  /** Measures producer and consumer records/s into {@code results} (keys kafka_*). */
  static void measure(Stack stack, Path libDir, int partitions, int recordSize, long records, Map<String, Object> results)
      throws Exception {
    String bootstrap = stack.ports.bootstrap();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get();
    }
    try {
      Proc.Result produced = tool(stack, libDir, "ProducerPerformance", List.of(
          "--bootstrap-server", bootstrap, "--topic", TOPIC, "--num-records", Long.toString(records),
          "--record-size", Integer.toString(recordSize), "--throughput", "-1", "--command-property", "acks=all"));
      ProducerFigures producer = parseProducer(produced.output()).orElseThrow(() ->
          new IllegalStateException("ProducerPerformance printed no summary (exit " + produced.exit() + "):\n" + produced.tail(8)));
      results.put("kafka_producer_records_per_s", producer.recordsPerSecond());
      results.put("kafka_producer_mb_per_s", producer.megabytesPerSecond());
      results.put("kafka_producer_p99_ms", producer.p99Ms());
      results.put("kafka_producer_records", producer.records());
      System.out.printf("  kafka producer: %,.0f records/s (%.1f MB/s, %d-byte records, acks=all)%n",
          producer.recordsPerSecond(), producer.megabytesPerSecond(), recordSize);

      Proc.Result consumed = tool(stack, libDir, "ConsumerPerformance", List.of(
          "--bootstrap-server", bootstrap, "--topic", TOPIC, "--num-records", Long.toString(records), "--timeout", "30000"));
      Map<String, String> consumer = parseConsumer(consumed.output());
      if (!consumer.containsKey("nMsg.sec")) {
        throw new IllegalStateException("ConsumerPerformance printed no figures (exit " + consumed.exit() + "):\n" + consumed.tail(8));
      }
      double fetchRate = Double.parseDouble(consumer.getOrDefault("fetch.nMsg.sec", consumer.get("nMsg.sec")));
      results.put("kafka_consumer_records_per_s", fetchRate);
      results.put("kafka_consumer_records_per_s_with_join", Double.parseDouble(consumer.get("nMsg.sec")));
      System.out.printf("  kafka consumer: %,.0f records/s (excluding %s ms group join)%n", fetchRate,
          consumer.get("rebalance.time.ms"));
    } finally {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin.deleteTopics(List.of(TOPIC)).all().get();
      }
    }
  }

  private static Proc.Result tool(Stack stack, Path libDir, String tool, List<String> args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", libDir.toAbsolutePath() + "/*",
        "org.apache.kafka.tools." + tool));
    command.addAll(args);
    return Proc.run(command, stack.root, Map.of(), Duration.ofMinutes(5), stack.logs.resolve(tool + ".log"));
  }
}
