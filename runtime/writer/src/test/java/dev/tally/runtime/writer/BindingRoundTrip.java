package dev.tally.runtime.writer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.runtime.core.Rejection;
import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.event.EventMetadata;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;

/**
 * Round trips of an aggregate binding's mappings through the writer's own codec: what the writer
 * appends, stores or is sent comes back as the same domain value.
 */
public record BindingRoundTrip<C, E, S, R extends Rejection>(AggregateBinding<C, E, S, R> binding) {

  private static final AvroCodec CODEC = AvroCodec.standard();
  private static final Instant AT = Instant.parse("2026-11-30T10:15:30.123456Z");

  /** The envelope of a command to {@code aggregateId}. */
  public static CommandMetadata command(String aggregateId) {
    return CommandMetadata.newBuilder().setCommandId(UUID.randomUUID().toString()).setAggregateId(aggregateId)
        .setIdempotencyKey("key").setRequestHash("hash").setCorrelationId("correlation").setIssuedAt(AT).build();
  }

  /** Asserts that the event, wrapped in its envelope and encoded, decodes back to itself and keeps its envelope. */
  public void assertEventRoundTrips(E event) {
    EventMetadata metadata = EventMetadata.newBuilder().setEventId(UUID.randomUUID().toString())
        .setAggregateId(UUID.randomUUID().toString()).setAggregateType(binding.aggregateType()).setAggregateVersion(7)
        .setOccurredAt(AT).setCommandId("command").setCorrelationId("correlation").setCausationId("command").build();
    SpecificRecord decoded = CODEC.decode(CODEC.encode(binding.event(event, metadata)));
    assertThat(binding.event(decoded)).isEqualTo(event);
    assertThat(decoded.get(decoded.getSchema().getField("metadata").pos())).isEqualTo(metadata);
  }

  /** Asserts that the command record, encoded, maps to {@code expected}. */
  public void assertCommandMapsTo(Function<CommandMetadata, SpecificRecord> record, C expected) {
    SpecificRecord decoded = CODEC.decode(CODEC.encode(record.apply(command(UUID.randomUUID().toString()))));
    assertThat(binding.command(decoded)).isEqualTo(expected);
  }

  /** Asserts that the state, stored as a snapshot, comes back equal. */
  public void assertStateRoundTrips(S state) {
    assertThat(binding.state(CODEC.decode(CODEC.encode(binding.snapshot(state))))).isEqualTo(state);
  }
}
