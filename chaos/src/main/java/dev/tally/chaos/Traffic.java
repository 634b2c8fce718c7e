package dev.tally.chaos;

import dev.tally.bench.HttpConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Steady load on the command API, every request recorded: opens, deposits and withdrawals (which
 * may be refused for insufficient funds) at a fixed rate over a few hundred accounts, each with an
 * {@code Idempotency-Key}. A request without a definite answer (a 5xx, no answer at all) is retried
 * with the same key, with backoff, until it gets one: an acceptance (2xx) or a refusal (4xx). Some
 * acknowledged writes are read back through the query API with their consistency token.
 *
 * <p>It also tells when the stack serves again after a fault ({@link #awaitRecovery}): the first
 * acceptance, the first read, or the first read of a write first sent after a given moment.
 */
final class Traffic {

  static final String HOST = "127.0.0.1";
  private static final int WORKERS = 16;
  private static final int RETRIERS = 4;
  private static final int READERS = 4;
  /** One acknowledged write in this many is read back with its token. */
  private static final int READ_ONE_IN = 3;
  /** More requests than this without an answer, and the load holds back new ones, as a client backing off would. */
  private static final int MAX_UNRESOLVED = 300;
  private static final long LATE_NANOS = Duration.ofSeconds(1).toNanos();
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
  private static final long FIRST_BACKOFF_NANOS = Duration.ofMillis(250).toNanos();
  private static final long MAX_BACKOFF_NANOS = Duration.ofSeconds(3).toNanos();
  /** Share of new requests that open an account once the initial accounts are open, and of deposits. */
  private static final double OPENS = 0.02;
  private static final double DEPOSITS = 0.60;

  /** What went on during one phase, beyond the requests themselves: counted per answer, when it came. */
  static final class PhaseStats {
    final LongAdder commandServerErrors = new LongAdder();
    final LongAdder commandNoAnswer = new LongAdder();
    final LongAdder readServerErrors = new LongAdder();
    final LongAdder readNoAnswer = new LongAdder();
    /** Reads with a token of an acknowledged write answered neither 200 nor "still behind" (503). */
    final Queue<String> wrongReads = new ConcurrentLinkedQueue<>();
  }

  /** When the stack is seen serving: the first time something succeeds after a given moment. */
  enum Service { WRITE, READ, READABLE_WRITE }

  private final Settings settings;
  private final int commandPort;
  private final int queryPort;
  private final String runId;
  private final List<Request> requests = new ArrayList<>();
  private final List<String> opened = new ArrayList<>();
  private final Map<String, PhaseStats> stats = new ConcurrentHashMap<>();
  private final DelayQueue<Retry> retries = new DelayQueue<>();
  private final BlockingQueue<Read> reads = new ArrayBlockingQueue<>(256);
  private final AtomicInteger unresolved = new AtomicInteger();
  private final AtomicLong sequence = new AtomicLong();
  /** Requests not sent at their time: the load was more than a second late, or held back. */
  private final LongAdder skipped = new LongAdder();
  private final Map<Service, AtomicLong> firstSeen = new ConcurrentHashMap<>();
  private final List<Thread> senders = new ArrayList<>();
  private final List<Thread> helpers = new ArrayList<>();
  private volatile String phase;
  private volatile long watchedSince = Long.MAX_VALUE;
  private volatile boolean sending;
  private volatile boolean running;

  Traffic(Settings settings, int commandPort, int queryPort, String runId) {
    this.settings = settings;
    this.commandPort = commandPort;
    this.queryPort = queryPort;
    this.runId = runId;
    for (Service service : Service.values()) {
      firstSeen.put(service, new AtomicLong(-1));
    }
  }

  /** Starts the load; requests from now on belong to {@code firstPhase}. */
  void start(String firstPhase) {
    phase(firstPhase);
    sending = true;
    running = true;
    long start = System.nanoTime();
    double interval = 1e9 / settings.rate();
    AtomicLong slots = new AtomicLong();
    for (int i = 0; i < WORKERS; i++) {
      senders.add(Thread.ofPlatform().name("chaos-load-" + i).start(() -> send(start, interval, slots)));
    }
    for (int i = 0; i < RETRIERS; i++) {
      helpers.add(Thread.ofPlatform().name("chaos-retry-" + i).start(this::retry));
    }
    for (int i = 0; i < READERS; i++) {
      helpers.add(Thread.ofPlatform().name("chaos-read-" + i).start(this::read));
    }
  }

  /** Requests sent from now on belong to {@code name}. */
  void phase(String name) {
    stats(name);
    phase = name;
  }

  PhaseStats stats(String name) {
    return stats.computeIfAbsent(name, key -> new PhaseStats());
  }

  /**
   * From now on, {@link #awaitRecovery} looks for the first success after {@code since}
   * (System.nanoTime): an acceptance or a read answered after it, a read of a write first sent
   * after it.
   */
  synchronized void watchFrom(long since) {
    firstSeen.values().forEach(first -> first.set(-1));
    watchedSince = since;
  }

  /** Waits, at most {@code limit} after the watched moment, until {@code service} is seen working; answers when, or -1. */
  long awaitRecovery(Service service, Duration limit) throws InterruptedException {
    long deadline = watchedSince + limit.toNanos();
    AtomicLong first = firstSeen.get(service);
    while (first.get() < 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return first.get();
  }

  /** Something worked at {@code at}; it counts as recovery if {@code after} (its own moment) follows the watched one. */
  private synchronized void seen(Service service, long at, long after) {
    if (after > watchedSince) {
      firstSeen.get(service).compareAndSet(-1, at);
    }
  }

  /** Stops sending new requests and reading; retries go on until {@link #resolve}. */
  void stopSending() throws InterruptedException {
    sending = false;
    for (Thread sender : senders) {
      sender.join();
    }
  }

  /**
   * Retries every request still without a definite answer, with its key, until each has one or
   * {@code limit} has passed; then stops. Answers how many are left without one.
   */
  int resolve(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (unresolved.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    running = false;
    for (Thread helper : helpers) {
      helper.join();
    }
    return unresolved.get();
  }

  int unresolved() {
    return unresolved.get();
  }

  long skipped() {
    return skipped.sum();
  }

  /** Every request sent so far, with its answer. */
  List<Request.Outcome> outcomes() {
    synchronized (requests) {
      return requests.stream().map(Request::outcome).toList();
    }
  }

  /** The accounts whose opening was acknowledged. */
  List<String> accounts() {
    synchronized (opened) {
      return List.copyOf(opened);
    }
  }

  private void send(long start, double interval, AtomicLong slots) {
    try (HttpConnection command = new HttpConnection(HOST, commandPort, COMMAND_TIMEOUT)) {
      while (sending) {
        long due = start + (long) (slots.getAndIncrement() * interval);
        long now = System.nanoTime();
        while (now < due && sending) {
          LockSupport.parkNanos(Math.min(due - now, 100_000_000L));
          now = System.nanoTime();
        }
        if (!sending) {
          return;
        }
        if (now - due > LATE_NANOS || unresolved.get() >= MAX_UNRESOLVED) {
          skipped.increment();
          continue;
        }
        Request request = next();
        synchronized (requests) {
          requests.add(request);
        }
        unresolved.incrementAndGet();
        attempt(command, request, FIRST_BACKOFF_NANOS);
      }
    }
  }

  /** The next request: the initial accounts are opened first, then mostly money, with a few more opens. */
  private Request next() {
    String id = runId + "-" + sequence.incrementAndGet();
    String target;
    int count;
    synchronized (opened) {
      count = opened.size();
      target = count == 0 ? null : opened.get(ThreadLocalRandom.current().nextInt(count));
    }
    double dice = ThreadLocalRandom.current().nextDouble();
    if (target == null || sequence.get() <= settings.accounts() || dice < OPENS) {
      return Request.open(id, phase, HOST, commandPort);
    }
    Request.Kind kind = dice < OPENS + DEPOSITS ? Request.Kind.DEPOSIT : Request.Kind.WITHDRAW;
    long amount = 1 + ThreadLocalRandom.current().nextLong(kind == Request.Kind.DEPOSIT ? 1_000 : 1_500);
    return Request.money(id, kind, target, amount, phase, HOST, commandPort);
  }

  /** Sends one attempt; a request without a definite answer goes (back) to the retry queue. */
  private void attempt(HttpConnection command, Request request, long backoff) {
    HttpConnection.Response response;
    try {
      response = command.exchange(request.bytes);
    } catch (IOException | RuntimeException e) {
      stats(phase).commandNoAnswer.increment();
      retries.add(new Retry(request, System.nanoTime() + backoff, backoff));
      return;
    }
    if (response.status() >= 500) {
      stats(phase).commandServerErrors.increment();
      retries.add(new Retry(request, System.nanoTime() + backoff, backoff));
      return;
    }
    long now = System.nanoTime();
    Request.Answer answer = Request.Answer.of(response, now);
    request.answer(answer);
    unresolved.decrementAndGet();
    if (answer.accepted()) {
      seen(Service.WRITE, now, now);
      if (request.kind == Request.Kind.OPEN) {
        synchronized (opened) {
          opened.add(request.account);
        }
      }
      if (answer.token() != null && ThreadLocalRandom.current().nextInt(READ_ONE_IN) == 0) {
        reads.offer(new Read(request.account, answer.token(), request.createdAt));
      }
    }
  }

  private void retry() {
    try (HttpConnection command = new HttpConnection(HOST, commandPort, COMMAND_TIMEOUT)) {
      while (running) {
        Retry due = retries.poll(100, TimeUnit.MILLISECONDS);
        if (due != null) {
          attempt(command, due.request(), Math.min(MAX_BACKOFF_NANOS, due.backoff() * 2));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void read() {
    try (HttpConnection query = new HttpConnection(HOST, queryPort, READ_TIMEOUT)) {
      while (running && sending) {
        Read read = reads.poll(100, TimeUnit.MILLISECONDS);
        if (read == null) {
          continue;
        }
        PhaseStats counts = stats(phase);
        HttpConnection.Response response;
        try {
          response = query.exchange(HttpConnection.request("GET", "/accounts/" + read.account(), HOST, queryPort,
              Map.of("Consistency-Token", read.token()), null));
        } catch (IOException | RuntimeException e) {
          counts.readNoAnswer.increment();
          continue;
        }
        long now = System.nanoTime();
        if (response.status() == 200) {
          seen(Service.READ, now, now);
          // A retry may be answered with a write made before the fault: only a write first sent since counts.
          seen(Service.READABLE_WRITE, now, read.firstSent());
        } else if (response.status() >= 500) {
          counts.readServerErrors.increment();
        } else {
          counts.wrongReads.add("HTTP " + response.status() + " for account " + read.account());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record Read(String account, String token, long firstSent) {
  }

  private record Retry(Request request, long dueNanos, long backoff) implements Delayed {
    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(dueNanos, ((Retry) other).dueNanos);
    }
  }
}
