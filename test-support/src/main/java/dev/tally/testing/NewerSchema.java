package dev.tally.testing;

import dev.tally.schemas.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;

/**
 * Records as a later version of their schema would write them: the schema plus one optional
 * string field, so a fingerprint that no schema history of this build knows. What an older reader
 * meets when a newer writer was deployed first.
 */
public final class NewerSchema {

  private static final int HEADER = 10;

  private NewerSchema() {
  }

  /** The later version of a record's schema: every field of it, then {@code note} (a string, default ""). */
  public static Schema of(Schema schema) {
    String json = schema.toString();
    int end = json.lastIndexOf(']');
    return new Schema.Parser().parse(json.substring(0, end)
        + ",{\"name\":\"note\",\"type\":\"string\",\"default\":\"\"}" + json.substring(end));
  }

  /** The record's bytes as that later version writes them (its fields, then an empty {@code note}). */
  public static byte[] encode(SpecificRecord record) {
    byte[] current = AvroCodec.standard().encode(record);
    byte[] newer = new byte[current.length + 1];
    System.arraycopy(current, 0, newer, 0, current.length);
    newer[current.length] = 0; // the empty string: length 0, zig-zag encoded
    ByteBuffer.wrap(newer, 2, HEADER - 2).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(SchemaNormalization.parsingFingerprint64(of(record.getSchema())));
    return newer;
  }
}
