package dev.tally.runtime.writer;

import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.event.EventMetadata;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** Reads the envelope that every command and event record carries in its {@code metadata} field. */
public final class Envelopes {

  private static final String FIELD = "metadata";

  private Envelopes() {
  }

  public static CommandMetadata command(SpecificRecord record) {
    return metadata(record, CommandMetadata.class);
  }

  public static EventMetadata event(SpecificRecord record) {
    return metadata(record, EventMetadata.class);
  }

  private static <T> T metadata(SpecificRecord record, Class<T> type) {
    Schema.Field field = record.getSchema().getField(FIELD);
    Object value = field == null ? null : record.get(field.pos());
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException(record.getSchema().getFullName() + " carries no " + type.getSimpleName());
    }
    return type.cast(value);
  }
}
