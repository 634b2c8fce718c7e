package dev.tally.projector;

import dev.tally.schemas.AvroCodec;
import dev.tally.testing.AccountEvents;
import dev.tally.schemas.event.AccountClosed;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.EventMetadata;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import java.time.Instant;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/** Builds account events the way the write side does, for tests. */
public final class Events {

  public static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456Z");

  private Events() {
  }

  public static EventMetadata metadata(UUID account, long version, Instant at) {
    return AccountEvents.metadata(account.toString(), version, at);
  }

  public static AccountOpened opened(UUID account, String owner, String currency) {
    return AccountOpened.newBuilder().setMetadata(metadata(account, 1, T0)).setOwner(owner).setCurrency(currency).build();
  }

  public static MoneyDeposited deposited(UUID account, long version, long amount, long balanceAfter, String reference) {
    return MoneyDeposited.newBuilder().setMetadata(metadata(account, version, T0.plusSeconds(version)))
        .setAmount(amount).setReference(reference).setBalanceAfter(balanceAfter).build();
  }

  public static MoneyWithdrawn withdrawn(UUID account, long version, long amount, long balanceAfter, String reference) {
    return MoneyWithdrawn.newBuilder().setMetadata(metadata(account, version, T0.plusSeconds(version)))
        .setAmount(amount).setReference(reference).setBalanceAfter(balanceAfter).build();
  }

  public static AccountClosed closed(UUID account, long version) {
    return AccountClosed.newBuilder().setMetadata(metadata(account, version, T0.plusSeconds(version))).build();
  }

  public static byte[] encode(SpecificRecord event) {
    return AvroCodec.standard().encode(event);
  }
}
