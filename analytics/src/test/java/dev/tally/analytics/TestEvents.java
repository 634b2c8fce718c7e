package dev.tally.analytics;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.event.AccountClosed;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import dev.tally.testing.AccountEvents;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;

/** Account events as the single writer writes them, for tests. */
final class TestEvents {

  private TestEvents() {
  }

  private static EventMetadata metadata(String account, long version, Instant at) {
    return AccountEvents.metadata(account, version, at);
  }

  static AccountOpened opened(String account, String currency, Instant at) {
    return AccountOpened.newBuilder().setMetadata(metadata(account, 1, at)).setOwner("owner").setCurrency(currency).build();
  }

  static MoneyDeposited deposited(String account, long version, long amount, Instant at) {
    return MoneyDeposited.newBuilder().setMetadata(metadata(account, version, at))
        .setAmount(amount).setReference("ref-" + version).setBalanceAfter(0).build();
  }

  static MoneyWithdrawn withdrawn(String account, long version, long amount, Instant at) {
    return MoneyWithdrawn.newBuilder().setMetadata(metadata(account, version, at))
        .setAmount(amount).setReference("ref-" + version).setBalanceAfter(0).build();
  }

  static AccountClosed closed(String account, long version, Instant at) {
    return AccountClosed.newBuilder().setMetadata(metadata(account, version, at)).build();
  }

  static byte[] encode(SpecificRecord event) {
    return AvroCodec.standard().encode(event);
  }

  /** The {@code tally.type} header the writer puts on every event record. */
  static Headers headers(SpecificRecord event) {
    return AccountEvents.headers(event);
  }
}
