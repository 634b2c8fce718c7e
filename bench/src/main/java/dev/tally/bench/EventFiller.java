package dev.tally.bench;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Valid account histories written straight to the events topic, as the single writer writes them
 * (key: the account id in UTF-8; value: the Avro single-object encoding; header {@code tally.type}:
 * the event's wire name): every account is opened, then receives deposits and withdrawals (never
 * below zero) with consecutive versions, round robin over the accounts.
 */
final class EventFiller {

  private static final AvroCodec CODEC = AvroCodec.standard();

  private final List<UUID> accounts = new ArrayList<>();
  private final long[] versions;
  private final long[] balances;

  EventFiller(int accountCount) {
    for (int i = 0; i < accountCount; i++) {
      accounts.add(randomUuid());
    }
    versions = new long[accountCount];
    balances = new long[accountCount];
  }

  List<UUID> accounts() {
    return accounts;
  }

  /** How the fill went: records written, seconds, bytes of values. */
  record Filled(long records, double seconds, long valueBytes) {
  }

  /** The encoded size of a typical event (a MoneyDeposited as the writer would write it). */
  static int typicalEventSize() {
    UUID account = randomUuid();
    return CODEC.encode(MoneyDeposited.newBuilder().setMetadata(metadata(account.toString(), 42, Instant.now()))
        .setAmount(12_345).setReference("d-42").setBalanceAfter(1_234_567).build()).length;
  }

  /** Writes {@code count} events (the first ones open the accounts) and waits until all are acknowledged. */
  Filled fill(String bootstrap, String topic, long count) {
    Map<String, Object> config = Map.of("bootstrap.servers", bootstrap, "acks", "all", "linger.ms", 10,
        "batch.size", 256 * 1024, "key.serializer", ByteArraySerializer.class.getName(),
        "value.serializer", ByteArraySerializer.class.getName());
    AtomicLong bytes = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      for (long i = 0; i < count; i++) {
        int index = (int) (i % accounts.size());
        SpecificRecord event = next(index);
        byte[] value = CODEC.encode(event);
        bytes.addAndGet(value.length);
        RecordHeaders headers = new RecordHeaders();
        headers.add("tally.type", SchemaCatalog.wireType(event.getSchema()).orElseThrow().getBytes(StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(topic, null, accounts.get(index).toString().getBytes(StandardCharsets.UTF_8),
            value, headers), (metadata, error) -> {
              if (error != null) {
                failure.compareAndSet(null, error);
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("writing events failed: " + failure.get().getMessage(), failure.get());
    }
    return new Filled(count, (System.nanoTime() - start) / 1e9, bytes.get());
  }

  private SpecificRecord next(int index) {
    long version = ++versions[index];
    String id = accounts.get(index).toString();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    if (version == 1) {
      return AccountOpened.newBuilder().setMetadata(metadata(id, 1, now)).setOwner("bench-" + index % 100)
          .setCurrency(index % 2 == 0 ? "EUR" : "USD").build();
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (balances[index] > 0 && random.nextInt(100) < 30) {
      long amount = 1 + random.nextLong(balances[index]);
      balances[index] -= amount;
      return MoneyWithdrawn.newBuilder().setMetadata(metadata(id, version, now)).setAmount(amount)
          .setReference("w-" + version).setBalanceAfter(balances[index]).build();
    }
    long amount = 1 + random.nextInt(100_000);
    balances[index] += amount;
    return MoneyDeposited.newBuilder().setMetadata(metadata(id, version, now)).setAmount(amount)
        .setReference("d-" + version).setBalanceAfter(balances[index]).build();
  }

  private static EventMetadata metadata(String account, long version, Instant at) {
    String command = randomUuid().toString();
    return EventMetadata.newBuilder()
        .setEventId(randomUuid().toString())
        .setAggregateId(account)
        .setAggregateType("account")
        .setAggregateVersion(version)
        .setOccurredAt(at.truncatedTo(ChronoUnit.MICROS))
        .setCommandId(command)
        .setCorrelationId(command)
        .setCausationId(command)
        .build();
  }

  /** A version-4 UUID from a fast (non-secure) random source: ids only need to be unique here. */
  static UUID randomUuid() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long most = (random.nextLong() & ~0xF000L) | 0x4000L;
    long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(most, least);
  }
}
