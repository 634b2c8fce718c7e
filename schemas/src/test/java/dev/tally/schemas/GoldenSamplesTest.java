package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Bytes written with every recorded schema version, committed under {@code src/test/resources/golden},
 * must decode with today's code into the values their JSON twin describes.
 *
 * <p>When a version is added, write its {@code vN.json} by hand and run
 * {@code ./mvnw -pl schemas test -Dtally.golden.write=true} once to produce the matching {@code vN.bin}.
 */
class GoldenSamplesTest {

  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private final SchemaCatalog catalog = SchemaCatalog.classpath();

  @TestFactory
  Stream<DynamicTest> everyRecordedVersionHasAGoldenSampleThatDecodesToItsJsonTwin() {
    return catalog.names().stream().flatMap(name -> {
      List<Schema> versions = catalog.versions(name);
      return IntStream.rangeClosed(1, versions.size()).mapToObj(version ->
          DynamicTest.dynamicTest(name + " v" + version, () -> check(name, version, versions.get(version - 1))));
    });
  }

  private void check(String name, int version, Schema writer) throws IOException {
    Path json = GOLDEN.resolve(name).resolve("v" + version + ".json");
    Path bin = GOLDEN.resolve(name).resolve("v" + version + ".bin");
    if (!Files.exists(json)) {
      fail("missing golden sample " + json + ": write one in Avro's JSON encoding of v" + version);
    }
    GenericRecord asWritten = readJson(json, writer);
    if (!Files.exists(bin)) {
      if (!Boolean.getBoolean("tally.golden.write")) {
        fail("missing " + bin + ": run ./mvnw -pl schemas test -Dtally.golden.write=true once");
      }
      Files.write(bin, new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(asWritten).array());
    }
    byte[] bytes = Files.readAllBytes(bin);

    AvroCodec codec = AvroCodec.standard();
    assertThat(SchemaNormalization.parsingFingerprint64(codec.writerSchema(bytes)))
        .as("the sample is written with v%d", version)
        .isEqualTo(SchemaNormalization.parsingFingerprint64(writer));

    SpecificRecord decoded = codec.decode(bytes);
    Schema reader = catalog.latest(name).orElseThrow();
    SpecificRecord expected = new SpecificDatumReader<SpecificRecord>(writer, reader, new SpecificData())
        .read(null, DecoderFactory.get().jsonDecoder(writer, Files.readString(json)));
    assertThat(decoded).isEqualTo(expected);
  }

  private static GenericRecord readJson(Path json, Schema writer) throws IOException {
    return new GenericDatumReader<GenericRecord>(writer)
        .read(null, DecoderFactory.get().jsonDecoder(writer, Files.readString(json)));
  }
}
