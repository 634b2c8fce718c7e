package dev.tally.projector;

import dev.tally.schemas.event.AccountClosed;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.schemas.event.MoneyWithdrawn;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * A valid stream of account events for load and crash tests: accounts are opened, receive
 * deposits and withdrawals (never below zero), and some are emptied and closed. Versions and
 * balances are what the write side would produce.
 */
public final class Ledger {

  private final Random random;
  private final Clock clock;
  private final List<UUID> accounts = new ArrayList<>();
  private final Map<UUID, State> states = new HashMap<>();

  public Ledger(long seed, int accountCount, Clock clock) {
    this.random = new Random(seed);
    this.clock = clock;
    for (int i = 0; i < accountCount; i++) {
      accounts.add(new UUID(random.nextLong(), random.nextLong()));
    }
  }

  public List<SpecificRecord> next(int count) {
    List<SpecificRecord> events = new ArrayList<>(count);
    while (events.size() < count) {
      UUID account = accounts.get(random.nextInt(accounts.size()));
      State state = states.get(account);
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      if (state == null) {
        states.put(account, new State());
        events.add(AccountOpened.newBuilder().setMetadata(Events.metadata(account, 1, now))
            .setOwner("owner-" + random.nextInt(20)).setCurrency(random.nextBoolean() ? "EUR" : "USD").build());
        continue;
      }
      if (state.closed) {
        continue;
      }
      long version = state.version + 1;
      int dice = random.nextInt(100);
      if (dice < 2 && state.balance == 0) {
        state.closed = true;
        state.version = version;
        events.add(AccountClosed.newBuilder().setMetadata(Events.metadata(account, version, now)).build());
      } else if (dice < 45 && state.balance > 0) {
        long amount = dice < 5 ? state.balance : 1 + (long) (random.nextDouble() * state.balance);
        state.balance -= amount;
        state.version = version;
        events.add(MoneyWithdrawn.newBuilder().setMetadata(Events.metadata(account, version, now))
            .setAmount(amount).setReference("w-" + version).setBalanceAfter(state.balance).build());
      } else {
        long amount = 1 + random.nextInt(100_000);
        state.balance += amount;
        state.version = version;
        events.add(MoneyDeposited.newBuilder().setMetadata(Events.metadata(account, version, now))
            .setAmount(amount).setReference("d-" + version).setBalanceAfter(state.balance).build());
      }
    }
    return events;
  }

  private static final class State {
    long version = 1;
    long balance;
    boolean closed;
  }
}
