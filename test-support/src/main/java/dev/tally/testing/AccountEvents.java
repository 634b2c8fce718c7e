package dev.tally.testing;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.event.AccountClosed;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Account events as the single writer appends them (Avro single-object encoding, type header), for tests. */
public final class AccountEvents {

  private AccountEvents() {
  }

  /** The envelope of an account's event; the event id is derived from account and version, as a replay would keep it. */
  public static EventMetadata metadata(String account, long version, Instant at) {
    return EventMetadata.newBuilder()
        .setEventId(UUID.nameUUIDFromBytes((account + "/" + version).getBytes(StandardCharsets.UTF_8)).toString())
        .setAggregateId(account)
        .setAggregateType("account")
        .setAggregateVersion(version)
        .setOccurredAt(at.truncatedTo(ChronoUnit.MICROS))
        .setCommandId(UUID.randomUUID().toString())
        .setCorrelationId(UUID.randomUUID().toString())
        .setCausationId(UUID.randomUUID().toString())
        .build();
  }

  public static AccountOpened opened(String account, String owner, String currency, Instant at) {
    return AccountOpened.newBuilder().setMetadata(metadata(account, 1, at)).setOwner(owner).setCurrency(currency).build();
  }

  public static MoneyDeposited deposited(String account, long version, long amount, long balanceAfter, Instant at) {
    return MoneyDeposited.newBuilder().setMetadata(metadata(account, version, at)).setAmount(amount)
        .setReference("ref-" + version).setBalanceAfter(balanceAfter).build();
  }

  public static MoneyWithdrawn withdrawn(String account, long version, long amount, long balanceAfter, Instant at) {
    return MoneyWithdrawn.newBuilder().setMetadata(metadata(account, version, at)).setAmount(amount)
        .setReference("ref-" + version).setBalanceAfter(balanceAfter).build();
  }

  public static AccountClosed closed(String account, long version, Instant at) {
    return AccountClosed.newBuilder().setMetadata(metadata(account, version, at)).build();
  }

  /** The record the writer would append: keyed by the account, with the {@code tally.type} header. */
  public static ProducerRecord<String, byte[]> record(String topic, SpecificRecord event) {
    return record(topic, event, null);
  }

  /** As the writer would append it, with a given record timestamp (null: the producer's clock). */
  public static ProducerRecord<String, byte[]> record(String topic, SpecificRecord event, Instant timestamp) {
    return record(topic, ((EventMetadata) event.get(0)).getAggregateId(), event, timestamp);
  }

  /** A record of the event under any key, with a given record timestamp (null: the producer's clock). */
  public static ProducerRecord<String, byte[]> record(String topic, String key, SpecificRecord event, Instant timestamp) {
    return new ProducerRecord<>(topic, null, timestamp == null ? null : timestamp.toEpochMilli(), key,
        AvroCodec.standard().encode(event), headers(event));
  }

  /** The headers the writer puts on an event's record: its {@code tally.type}. */
  public static Headers headers(SpecificRecord event) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(SchemaCatalog.TYPE_PROPERTY,
        SchemaCatalog.wireType(event.getSchema()).orElseThrow().getBytes(StandardCharsets.UTF_8));
    return headers;
  }
}
