package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.schemas.command.CommandMetadata;
import dev.tally.schemas.command.WithdrawMoney;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

  private final AvroCodec codec = AvroCodec.standard();

  static MoneyDeposited deposited() {
    return MoneyDeposited.newBuilder()
        .setMetadata(EventMetadata.newBuilder()
            .setEventId("e1").setAggregateId("a1").setAggregateType("account").setAggregateVersion(2)
            .setOccurredAt(Instant.parse("2026-11-24T10:15:30.123456Z"))
            .setCommandId("c1").setCorrelationId("r1").setCausationId("c1")
            .build())
        .setAmount(1050).setReference("salary").setBalanceAfter(1050)
        .build();
  }

  @Test
  void roundTripsAnEvent() {
    MoneyDeposited event = deposited();
    assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
  }

  @Test
  void roundTripsACommandWithOptionalFields() {
    WithdrawMoney command = WithdrawMoney.newBuilder()
        .setMetadata(CommandMetadata.newBuilder()
            .setCommandId("c1").setAggregateId("a1").setExpectedVersion(4L).setIdempotencyKey(null)
            .setRequestHash("h").setCorrelationId("r1")
            .setIssuedAt(Instant.now().truncatedTo(ChronoUnit.MICROS))
            .build())
        .setAmount(10).setReference("")
        .build();
    assertThat(codec.decode(codec.encode(command))).isEqualTo(command);
  }

  @Test
  void theWireCarriesTheFingerprintOfTheWriterSchemaAndItsStableTypeName() {
    byte[] bytes = codec.encode(deposited());
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(SchemaCatalog.wireType(codec.writerSchema(bytes))).contains("account.deposited");
  }

  @Test
  void refusesBytesThatAreNotSingleObjectEncoded() {
    assertThatThrownBy(() -> codec.decode("{\"amount\": 1}".getBytes()))
        .isInstanceOf(AvroCodec.UndecodableRecordException.class)
        .hasMessageContaining("not an Avro single-object encoded record");
    assertThatThrownBy(() -> codec.decode(new byte[0])).isInstanceOf(AvroCodec.UndecodableRecordException.class);
    assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(AvroCodec.UndecodableRecordException.class);
  }

  @Test
  void refusesAnUnknownFingerprintAsWrittenByANewerWriter() {
    byte[] bytes = codec.encode(deposited());
    bytes[5] ^= 0x5A;
    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(AvroCodec.UnknownSchemaException.class)
        .hasMessageContaining("unknown schema fingerprint");
    assertThatThrownBy(() -> codec.decode("{\"amount\": 1}".getBytes()))
        .as("bytes that are no record are not")
        .isNotInstanceOf(AvroCodec.UnknownSchemaException.class);
  }

  @Test
  void refusesATruncatedBody() {
    byte[] bytes = codec.encode(deposited());
    byte[] truncated = Arrays.copyOf(bytes, 14);
    assertThatThrownBy(() -> codec.decode(truncated))
        .isInstanceOf(AvroCodec.UndecodableRecordException.class)
        .hasMessageContaining("corrupt body");
  }
}
