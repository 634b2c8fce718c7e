package dev.tally.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes records with Avro's single-object encoding and decodes any recorded version of them
 * into the current generated class.
 *
 * <p>The wire format is {@code C3 01}, the 8-byte little-endian fingerprint of the writer schema,
 * then the Avro binary body. Decoding looks the fingerprint up in the {@link SchemaCatalog},
 * then resolves the writer schema against the newest version of the same record (Avro schema
 * resolution is the upcaster: defaults fill new fields, removed fields are skipped).
 */
public final class AvroCodec {

  private static final byte[] MAGIC = {(byte) 0xC3, (byte) 0x01};
  private static final int HEADER_LENGTH = 10;

  private final SchemaCatalog catalog;
  private final SpecificData model;
  private final Map<Class<?>, BinaryMessageEncoder<SpecificRecord>> encoders = new ConcurrentHashMap<>();
  private final Map<String, BinaryMessageDecoder<SpecificRecord>> decoders = new ConcurrentHashMap<>();

  public AvroCodec(SchemaCatalog catalog) {
    this.catalog = catalog;
    this.model = new SpecificData(AvroCodec.class.getClassLoader());
  }

  /** The codec over the schema history on this build's classpath. */
  public static AvroCodec standard() {
    return Holder.STANDARD;
  }

  public byte[] encode(SpecificRecord record) {
    BinaryMessageEncoder<SpecificRecord> encoder = encoders.computeIfAbsent(record.getClass(),
        type -> new BinaryMessageEncoder<>(model, record.getSchema()));
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Decodes bytes written with any recorded schema version.
   *
   * @throws UndecodableRecordException if the bytes are not single-object encoded, or do not match
   *     the schema they name
   * @throws UnknownSchemaException if they name a schema this build does not know (a newer writer)
   */
  public SpecificRecord decode(byte[] bytes) {
    Schema writer = writerSchema(bytes);
    BinaryMessageDecoder<SpecificRecord> decoder = decoders.computeIfAbsent(writer.getFullName(), this::decoderFor);
    try {
      return decoder.decode(bytes);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
      throw new UndecodableRecordException("corrupt body for " + writer.getFullName() + ": " + e.getMessage(), e);
    }
  }

  /** The schema a record was written with, read from its fingerprint. */
  public Schema writerSchema(byte[] bytes) {
    if (bytes == null || bytes.length < HEADER_LENGTH || bytes[0] != MAGIC[0] || bytes[1] != MAGIC[1]) {
      throw new UndecodableRecordException("not an Avro single-object encoded record");
    }
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Schema writer = catalog.findByFingerprint(fingerprint);
    if (writer == null) {
      throw new UnknownSchemaException("unknown schema fingerprint " + Long.toHexString(fingerprint));
    }
    return writer;
  }

  private BinaryMessageDecoder<SpecificRecord> decoderFor(String fullName) {
    Schema reader = catalog.latest(fullName).orElseThrow();
    if (model.getClass(reader) == null) {
      throw new UndecodableRecordException("no generated class for " + fullName);
    }
    return new BinaryMessageDecoder<>(model, reader, catalog);
  }

  /** Thrown for bytes that cannot be turned into a record ({@link UnknownSchemaException}: not by this build). */
  public static class UndecodableRecordException extends RuntimeException {
    public UndecodableRecordException(String message) {
      super(message);
    }

    public UndecodableRecordException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Thrown for a record written with a schema this build does not know: a writer newer than this
   * reader. Poison for this reader only; a newer one reads it.
   */
  public static final class UnknownSchemaException extends UndecodableRecordException {
    public UnknownSchemaException(String message) {
      super(message);
    }
  }

  private static final class Holder {
    static final AvroCodec STANDARD = new AvroCodec(SchemaCatalog.classpath());
  }
}
