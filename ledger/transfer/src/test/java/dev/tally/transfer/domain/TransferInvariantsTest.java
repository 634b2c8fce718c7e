package dev.tally.transfer.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.account.domain.AccountCommand.Close;
import dev.tally.account.domain.AccountCommand.Deposit;
import dev.tally.account.domain.AccountCommand.OpenAccount;
import dev.tally.account.domain.AccountCommand.Withdraw;
import dev.tally.account.domain.AccountState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/**
 * Money is conserved across accounts on different partitions, whatever order the messages of the
 * transfer saga arrive in, however often they are delivered, and whatever clients do meanwhile
 * (deposits, withdrawals, closes): see {@link TransferSimulation} for the model. A run is one seed.
 */
class TransferInvariantsTest {

  private static final double DUPLICATES = 0.15;
  private static final double EXPIRIES = 0.1;
  private static final double FORGOTTEN_KEYS = 0.5;

  @Property(tries = 300)
  void moneyIsConservedAndEveryTransferEnds(@ForAll long seed) {
    Random random = new Random(seed);
    TransferSimulation sim = new TransferSimulation(random, DUPLICATES, EXPIRIES, FORGOTTEN_KEYS);
    List<String> accounts = new ArrayList<>();
    for (String currency : List.of("EUR", "EUR", "EUR", "USD")) {
      String id = sim.newId();
      accounts.add(id);
      sim.send(id, new OpenAccount("owner", currency));
    }
    String neverOpened = sim.newId();
    List<String> parties = new ArrayList<>(accounts);
    parties.add(neverOpened);

    for (int action = 0; action < 80; action++) {
      if (sim.idle() || random.nextInt(3) == 0) {
        String account = accounts.get(random.nextInt(accounts.size()));
        switch (random.nextInt(10)) {
          case 0, 1 -> sim.send(account, new Deposit(1 + random.nextInt(500), ""));
          case 2 -> sim.send(account, new Withdraw(1 + random.nextInt(300), ""));
          case 3 -> {
            long balance = sim.account(account).balance();
            if (balance > 0) {
              sim.send(account, new Withdraw(balance, "everything"));
            }
            sim.send(account, new Close());
          }
          default -> sim.request(sim.newId(), parties.get(random.nextInt(parties.size())),
              parties.get(random.nextInt(parties.size())), 1 + random.nextInt(400));
        }
      } else {
        sim.step(true);
      }
    }
    sim.drain();

    sim.transfers().values().forEach(t -> Statistics.label("outcome")
        .collect(t.status() + (t.reasonCode().isEmpty() ? "" : " " + t.reasonCode()) + (t.refunded() ? " refunded" : "")));
    Statistics.label("outcome").coverage(coverage -> {
      coverage.check("COMPLETED").count(n -> n > 0);
      coverage.check("FAILED insufficient-funds").count(n -> n > 0);
      coverage.check("FAILED account-not-found refunded").count(n -> n > 0);
      coverage.check("FAILED currency-mismatch refunded").count(n -> n > 0);
      coverage.check("FAILED account-closed refunded").count(n -> n > 0);
    });
  }

  @Property(tries = 200)
  void concurrentTransfersOutOfOneAccountNeverOverdrawIt(@ForAll long seed) {
    Random random = new Random(seed);
    TransferSimulation sim = new TransferSimulation(random, DUPLICATES, EXPIRIES, FORGOTTEN_KEYS);
    String source = sim.newId();
    List<String> targets = List.of(sim.newId(), sim.newId());
    sim.send(source, new OpenAccount("source", "EUR"));
    targets.forEach(target -> sim.send(target, new OpenAccount("target", "EUR")));
    long funds = 1 + random.nextInt(1000);
    sim.send(source, new Deposit(funds, ""));
    for (int i = 0; i < 12; i++) {
      sim.request(sim.newId(), source, targets.get(i % 2), 1 + random.nextInt(300));
    }
    sim.drain();

    long completed = sim.transfers().values().stream()
        .filter(t -> t.status() == TransferState.Status.COMPLETED).mapToLong(TransferState::amount).sum();
    assertThat(completed).as("transferred out").isLessThanOrEqualTo(funds);
    AccountState after = sim.account(source);
    assertThat(after.balance()).isEqualTo(funds - completed);
    assertThat(targets.stream().mapToLong(t -> sim.account(t).balance()).sum()).isEqualTo(completed);
  }
}
