package dev.tally.account.projection;

import dev.tally.schemas.SchemaCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * A well-formed record of any recorded schema, with placeholder values: for tests that need
 * readable Avro that is not an account event, whatever fields that schema has today.
 */
final class AnyRecord {

  private AnyRecord() {
  }

  static byte[] encoded(String fullName) {
    Schema schema = SchemaCatalog.classpath().latest(fullName).orElseThrow();
    try {
      ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(
          (GenericRecord) value(schema));
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object value(Schema schema) {
    return switch (schema.getType()) {
      case RECORD -> {
        GenericData.Record record = new GenericData.Record(schema);
        schema.getFields().forEach(field -> record.put(field.pos(), value(field.schema())));
        yield record;
      }
      case UNION -> value(schema.getTypes().getFirst());
      case NULL -> null;
      case STRING -> "00000000-0000-0000-0000-000000000001";
      case LONG -> 1L;
      case INT -> 1;
      case BOOLEAN -> false;
      case DOUBLE -> 1.0;
      case FLOAT -> 1.0f;
      case BYTES -> ByteBuffer.wrap(new byte[0]);
      case ENUM -> new GenericData.EnumSymbol(schema, schema.getEnumSymbols().getFirst());
      case ARRAY -> new GenericData.Array<>(schema, new ArrayList<>(List.of()));
      case MAP -> new java.util.HashMap<String, Object>();
      case FIXED -> new GenericData.Fixed(schema, new byte[schema.getFixedSize()]);
    };
  }
}
