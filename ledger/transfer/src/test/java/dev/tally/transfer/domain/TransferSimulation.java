package dev.tally.transfer.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tally.account.domain.Account;
import dev.tally.account.domain.AccountCommand;
import dev.tally.account.domain.AccountEvent;
import dev.tally.account.domain.AccountRejection;
import dev.tally.account.domain.AccountState;
import dev.tally.transfer.domain.TransferCommand.RequestTransfer;
import dev.tally.transfer.domain.TransferProcess.Reaction;
import dev.tally.transfer.domain.TransferProcess.RecordCommand;
import dev.tally.transfer.domain.TransferProcess.StepCommand;
import dev.tally.transfer.domain.TransferProcess.StepResult;
import dev.tally.runtime.core.Decision;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Accounts, transfers and the transfer process, with no Kafka: every message (commands to the
 * writers, their answers, the transfer events the process reacts to) waits in a FIFO queue per
 * partition, as on a topic, and the queues are served in a random interleaving. Any message of the
 * saga may be delivered twice (at-least-once), and a writer may answer a leg or a record {@code EXPIRED}
 * instead of deciding it (it was down past the command's deadline).
 *
 * <p>Idempotency keys are modelled only where the rules rely on them (ADR 36): the writer remembers
 * the answers to debits and credits, for longer than a run lasts. Every other command (refunds,
 * settles, every record on a transfer) is given none, so it must be harmless delivered again by the
 * rules alone. A debit's key may also be forgotten while its transfer is still in flight (the
 * window passed while the target's writer was down), which the account's rules must absorb.
 *
 * <p>{@link #step} checks the ledger's invariants after every delivery; {@link #drain} checks that
 * every transfer ends and nothing stays in flight.
 */
final class TransferSimulation {

  private static final int PARTITIONS = 2;
  private static final int MAX_DRAIN_STEPS = 200_000;

  private final Random random;
  private final double duplicates;
  private final double expiries;
  private final double forgottenKeys;

  private final Map<String, AccountState> accounts = new LinkedHashMap<>();
  private final Map<String, TransferState> transfers = new LinkedHashMap<>();
  private final Map<String, StepResult> rememberedAnswers = new HashMap<>();
  /** Per transfer: the amounts its account events moved (out, in, refunded), and how often. */
  private final Map<String, Legs> legs = new HashMap<>();
  private final List<Deque<Message>> queues = new ArrayList<>();
  private long deposited;
  private long withdrawn;
  private int delivered;

  TransferSimulation(Random random, double duplicates, double expiries, double forgottenKeys) {
    this.random = random;
    this.duplicates = duplicates;
    this.expiries = expiries;
    this.forgottenKeys = forgottenKeys;
    for (int i = 0; i < Queue.values().length * PARTITIONS; i++) {
      queues.add(new ArrayDeque<>());
    }
  }

  /** The messages, each on the queue (topic and partition) it travels on. */
  private sealed interface Message {}

  /** A command to an account's writer; {@code step} is null for a client's command. */
  private record ToAccount(String accountId, AccountCommand command, StepCommand step) implements Message {}

  /** A command to a transfer's writer; {@code record} is null for a client's request. */
  private record ToTransfer(String transferId, TransferCommand command, RecordCommand record) implements Message {}

  /** A transfer event, with the transfer's state right after it, on its way to the process. */
  private record TransferChanged(String transferId, TransferState after) implements Message {}

  /** An account writer's answer to a leg, on its way to the process. */
  private record LegAnswered(StepCommand sent, StepResult result) implements Message {}

  /** A transfer writer's answer to a record, on its way to the process. */
  private record RecordAnswered(RecordCommand sent, boolean expired, TransferRejection rejection) implements Message {}

  private enum Queue { ACCOUNT_COMMANDS, TRANSFER_COMMANDS, TRANSFER_EVENTS, ACCOUNT_RESULTS, TRANSFER_RESULTS }

  private static final class Legs {
    long out;
    long in;
    long refunded;
    int outs;
    int ins;
    int refunds;
    int settles;

    long inFlight() {
      return out - in - refunded;
    }
  }

  // --- what clients do

  void send(String accountId, AccountCommand command) {
    enqueue(new ToAccount(accountId, command, null));
  }

  void request(String transferId, String from, String to, long amount) {
    enqueue(new ToTransfer(transferId, new RequestTransfer(from, to, amount, "sim"), null));
  }

  AccountState account(String accountId) {
    return accounts.getOrDefault(accountId, AccountState.initial());
  }

  Map<String, TransferState> transfers() {
    return transfers;
  }

  boolean idle() {
    return queues.stream().allMatch(Deque::isEmpty);
  }

  // --- delivery

  /** Delivers the head of a random non-empty queue, maybe twice, and checks the invariants. */
  void step(boolean redeliver) {
    List<Deque<Message>> waiting = queues.stream().filter(q -> !q.isEmpty()).toList();
    Deque<Message> queue = waiting.get(random.nextInt(waiting.size()));
    Message message = queue.poll();
    if (redeliver && !fromClient(message) && random.nextDouble() < duplicates) {
      queue.add(message);
    }
    delivered++;
    switch (message) {
      case ToAccount m -> decideAccount(m);
      case ToTransfer m -> decideTransfer(m);
      case TransferChanged m -> TransferProcess.next(m.transferId(), m.after())
          .forEach(step -> enqueue(new ToAccount(step.accountId(), accountCommand(step.leg()), step)));
      case LegAnswered m -> react(TransferProcess.onResult(m.sent(), m.result()));
      case RecordAnswered m -> {
        assertThat(m.rejection()).as("the transfer refused %s", m.sent()).isNull();
        if (m.expired()) {
          enqueue(new ToTransfer(m.sent().transferId(), m.sent().command(), m.sent()));
        }
      }
    }
    checkInvariants();
  }

  /**
   * A client's own command is not delivered twice here: its retries are made safe by its
   * Idempotency-Key (ADR 8), which is not what this simulation is about.
   */
  private static boolean fromClient(Message message) {
    return message instanceof ToAccount a && a.step() == null || message instanceof ToTransfer t && t.record() == null;
  }

  /** Delivers everything still queued, redeliveries included until the very end, then checks that all ended. */
  void drain() {
    while (!idle()) {
      assertThat(delivered).as("deliveries before the queues drain").isLessThan(MAX_DRAIN_STEPS);
      step(true);
    }
    for (Map.Entry<String, TransferState> transfer : transfers.entrySet()) {
      assertThat(transfer.getValue().status()).as("status of transfer %s", transfer.getKey())
          .isIn(TransferState.Status.COMPLETED, TransferState.Status.FAILED);
    }
    assertThat(legs.values().stream().mapToLong(Legs::inFlight).sum()).as("money in flight at the end").isZero();
    accounts.forEach((id, state) -> assertThat(state.inFlight()).as("transfers in flight on %s", id).isEmpty());
  }

  private void decideAccount(ToAccount m) {
    StepCommand step = m.step();
    if (step != null && random.nextDouble() < expiries) {
      enqueue(new LegAnswered(step, new StepResult.Expired()));
      return;
    }
    AccountState state = account(m.accountId());
    String key = step == null ? null : m.accountId() + "/" + step.idempotencyKey();
    boolean keyed = step != null && (step.step() == TransferStep.DEBIT || step.step() == TransferStep.CREDIT);
    if (keyed && step.step() == TransferStep.DEBIT && state.inFlight().containsKey(step.transferId())
        && random.nextDouble() < forgottenKeys) {
      rememberedAnswers.remove(key);
    }
    if (keyed && rememberedAnswers.containsKey(key)) {
      enqueue(new LegAnswered(step, rememberedAnswers.get(key)));
      return;
    }
    StepResult result = switch (Account.DECIDER.decide(m.command(), state)) {
      case Decision.Accepted<AccountEvent, AccountRejection> accepted -> {
        for (AccountEvent event : accepted.events()) {
          state = Account.DECIDER.evolve(state, event);
          count(event);
        }
        accounts.put(m.accountId(), state);
        assertThat(accepted.events()).as("events of one command").hasSizeLessThanOrEqualTo(1);
        // A client's command answers nobody here; a leg's answer is what its event says.
        yield step == null || accepted.events().isEmpty() ? new StepResult.Unchanged()
            : applied(accepted.events().getFirst());
      }
      case Decision.Rejected<AccountEvent, AccountRejection> rejected ->
          new StepResult.Rejected(rejected.rejection().code(), rejected.rejection().detail());
    };
    if (keyed) {
      rememberedAnswers.put(key, result);
    }
    if (step != null) {
      enqueue(new LegAnswered(step, result));
    }
  }

  private void decideTransfer(ToTransfer m) {
    RecordCommand record = m.record();
    if (record != null && random.nextDouble() < expiries) {
      enqueue(new RecordAnswered(record, true, null));
      return;
    }
    TransferState state = transfers.getOrDefault(m.transferId(), TransferState.initial());
    TransferRejection rejection = switch (Transfer.DECIDER.decide(m.command(), state)) {
      case Decision.Accepted<TransferEvent, TransferRejection> accepted -> {
        for (TransferEvent event : accepted.events()) {
          state = Transfer.DECIDER.evolve(state, event);
          transfers.put(m.transferId(), state);
          enqueue(new TransferChanged(m.transferId(), state));
        }
        yield null;
      }
      case Decision.Rejected<TransferEvent, TransferRejection> rejected -> rejected.rejection();
    };
    if (record != null) {
      enqueue(new RecordAnswered(record, false, rejection));
    }
  }

  private void react(Reaction reaction) {
    switch (reaction) {
      case Reaction.Record r -> enqueue(new ToTransfer(r.command().transferId(), r.command().command(), r.command()));
      case Reaction.Resend r -> enqueue(new ToAccount(r.command().accountId(), accountCommand(r.command().leg()),
          r.command()));
      case Reaction.Done d -> { }
      case Reaction.Halt h -> fail("the process halted: " + h.reason());
    }
  }

  /**
   * The account command a leg is sent as. In production the leg travels as the account's published
   * command schema (`TransferLegs`); here both deciders meet directly.
   */
  private static AccountCommand accountCommand(TransferProcess.Leg leg) {
    return switch (leg) {
      case TransferProcess.Leg.Debit d -> new AccountCommand.DebitForTransfer(d.transferId(), d.to(), d.amount());
      case TransferProcess.Leg.Credit c ->
          new AccountCommand.CreditForTransfer(c.transferId(), c.from(), c.amount(), c.currency());
      case TransferProcess.Leg.Refund r -> new AccountCommand.RefundTransfer(r.transferId());
      case TransferProcess.Leg.Settle t -> new AccountCommand.SettleTransfer(t.transferId());
    };
  }

  /** What the event a leg appended tells the process, as the account's published event says it. */
  private static StepResult applied(AccountEvent event) {
    return switch (event) {
      case AccountEvent.MoneyTransferredOut out -> new StepResult.Applied(out.transferId(), TransferStep.DEBIT,
          out.currency());
      case AccountEvent.MoneyTransferredIn in -> new StepResult.Applied(in.transferId(), TransferStep.CREDIT, null);
      case AccountEvent.TransferRefunded r -> new StepResult.Applied(r.transferId(), TransferStep.REFUND, null);
      case AccountEvent.TransferSettled t -> new StepResult.Applied(t.transferId(), TransferStep.SETTLE, null);
      default -> throw new IllegalStateException("a leg appended " + event);
    };
  }

  private void count(AccountEvent event) {
    switch (event) {
      case AccountEvent.MoneyDeposited d -> deposited += d.amount();
      case AccountEvent.MoneyWithdrawn w -> withdrawn += w.amount();
      case AccountEvent.MoneyTransferredOut out -> {
        Legs l = legs.computeIfAbsent(out.transferId(), id -> new Legs());
        l.out += out.amount();
        l.outs++;
      }
      case AccountEvent.MoneyTransferredIn in -> {
        Legs l = legs.computeIfAbsent(in.transferId(), id -> new Legs());
        l.in += in.amount();
        l.ins++;
      }
      case AccountEvent.TransferRefunded refunded -> {
        Legs l = legs.computeIfAbsent(refunded.transferId(), id -> new Legs());
        l.refunded += refunded.amount();
        l.refunds++;
      }
      case AccountEvent.TransferSettled settled -> legs.computeIfAbsent(settled.transferId(), id -> new Legs()).settles++;
      case AccountEvent.AccountOpened o -> { }
      case AccountEvent.AccountClosed c -> { }
    }
  }

  private void checkInvariants() {
    long balances = accounts.values().stream().mapToLong(AccountState::balance).sum();
    long inFlight = legs.values().stream().mapToLong(Legs::inFlight).sum();
    assertThat(balances + inFlight).as("balances + money in flight = deposits - withdrawals")
        .isEqualTo(deposited - withdrawn);
    accounts.forEach((id, state) -> {
      assertThat(state.balance()).as("balance of %s", id).isNotNegative();
      if (state.status() == AccountState.Status.CLOSED) {
        assertThat(state.balance()).as("balance of closed account %s", id).isZero();
      }
    });
    legs.forEach((id, l) -> {
      assertThat(l.outs).as("debits of transfer %s", id).isLessThanOrEqualTo(1);
      assertThat(l.ins).as("credits of transfer %s", id).isLessThanOrEqualTo(1);
      assertThat(l.refunds).as("refunds of transfer %s", id).isLessThanOrEqualTo(1);
      assertThat(l.ins + l.refunds).as("credits and refunds of transfer %s", id).isLessThanOrEqualTo(l.outs);
      assertThat(l.settles).as("settles of transfer %s", id).isLessThanOrEqualTo(l.ins);
    });
  }

  private void enqueue(Message message) {
    String key = switch (message) {
      case ToAccount m -> m.accountId();
      case ToTransfer m -> m.transferId();
      case TransferChanged m -> m.transferId();
      case LegAnswered m -> m.sent().accountId();
      case RecordAnswered m -> m.sent().transferId();
    };
    Queue queue = switch (message) {
      case ToAccount m -> Queue.ACCOUNT_COMMANDS;
      case ToTransfer m -> Queue.TRANSFER_COMMANDS;
      case TransferChanged m -> Queue.TRANSFER_EVENTS;
      case LegAnswered m -> Queue.ACCOUNT_RESULTS;
      case RecordAnswered m -> Queue.TRANSFER_RESULTS;
    };
    queues.get(queue.ordinal() * PARTITIONS + Math.floorMod(key.hashCode(), PARTITIONS)).add(message);
  }

  /** A fresh id from the simulation's randomness, so that a seed replays a run exactly. */
  String newId() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }
}
