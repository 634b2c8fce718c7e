package dev.tally.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure helpers of the benchmark: parsing the tools' output and answers, writing the results. */
class HelpersTest {

  @Test
  void readsFieldsOfAFlatAnswer() {
    String body = "{\"accountId\":\"4f1c\",\"version\":12,\"consistencyToken\":\"t1.a\\\"b\",\"ok\":true}";
    assertThat(Json.field(body, "accountId")).isEqualTo("4f1c");
    assertThat(Json.field(body, "version")).isEqualTo("12");
    assertThat(Json.field(body, "consistencyToken")).isEqualTo("t1.a\\\"b");
    assertThat(Json.field(body, "missing")).isNull();
  }

  @Test
  void writesTheResultsDocument() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("rate", 1234.5678);
    doc.put("whole", 10.0);
    doc.put("nan", Double.NaN);
    doc.put("text", "a \"b\"\n");
    doc.put("list", List.of(1, "x"));
    doc.put("none", null);
    assertThat(Json.write(doc)).isEqualTo("""
        {
          "rate": 1234.568,
          "whole": 10,
          "nan": null,
          "text": "a \\"b\\"\\n",
          "list": [
            1,
            "x"
          ],
          "none": null
        }
        """);
  }

  @Test
  void parsesProducerPerformanceSummary() {
    String output = """
        500000 records sent, 99990.0 records/sec (21.00 MB/sec), 20.1 ms avg latency, 200.0 ms max latency.
        1000000 records sent, 250000.5 records/sec (52.45 MB/sec), 12.34 ms avg latency, 345.00 ms max latency, 10 ms 50th, 40 ms 95th, 80 ms 99th, 120 ms 99.9th.
        """;
    KafkaLimits.ProducerFigures figures = KafkaLimits.parseProducer(output).orElseThrow();
    assertThat(figures.records()).isEqualTo(1_000_000);
    assertThat(figures.recordsPerSecond()).isEqualTo(250000.5);
    assertThat(figures.p99Ms()).isEqualTo(80.0);
  }

  @Test
  void parsesConsumerPerformanceLine() {
    String output = """
        start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
        2026-01-01 10:00:00:000, 2026-01-01 10:00:05:000, 200.0, 40.0, 1000000, 200000.0, 3000, 2000, 100.0, 500000.0
        """;
    Map<String, String> row = KafkaLimits.parseConsumer(output);
    assertThat(row).containsEntry("fetch.nMsg.sec", "500000.0").containsEntry("nMsg.sec", "200000.0");
  }

  @Test
  void sumsHeapPoolsFromPrometheus() {
    String text = """
        # HELP jvm_memory_used_bytes The amount of used memory
        jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.048576E7
        jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.9E7
        jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2097152.0
        """;
    assertThat(Memory.heapFromPrometheus(text)).hasValue(10_485_760L + 2_097_152L);
    assertThat(Memory.heapFromPrometheus("nothing")).isEmpty();
  }

  @Test
  void groupsFramesByPackage() {
    assertThat(Profiler.packageOf("org.apache.kafka.clients.producer.KafkaProducer")).isEqualTo("org.apache.kafka.clients");
    assertThat(Profiler.packageOf("java.util.HashMap")).isEqualTo("java.util");
    assertThat(Profiler.packageOf("Foo")).isEqualTo("Foo");
  }

  @Test
  void tableComparesWithTargetsAndLimits() {
    Map<String, Object> results = Map.of("ingest_cmds_per_s", 6000.0, "kafka_producer_records_per_s", 300000.0,
        "ingest_p99_ms_at_2000", 80.0);
    String table = Report.table(results);
    assertThat(table).contains("6,000 cmd/s").contains("2.0%").contains("MISSED").contains("NOT MEASURED");
    assertThat(Report.table(Map.of("projection_events_per_s", 60000.0, "copy_rows_per_s", 300000.0)))
        .contains("20.0%").contains("MISSED (ratio)");
  }
}
