package dev.tally.query.consistency;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import dev.tally.query.problem.QueryProblems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.SmartLifecycle;

/**
 * Waits, without polling per request, until the read model has reached a given version of an
 * aggregate.
 *
 * <p>One thread holds one dedicated PostgreSQL connection that {@code LISTEN}s on the channel the
 * projector notifies after every committed batch. A waiting request registers itself, checks the
 * read model once, and then sleeps on a future. Each notification makes the watcher re-check every
 * pending wait with a single query ({@code aggregate_id = ANY(...)}) and complete those now
 * satisfied. Registering before the first check closes the race with a notification sent in
 * between; after a reconnect, and every {@code recheckInterval} while waits are pending, the
 * watcher re-checks anyway, in case a notification was missed while it was not listening. With
 * nothing pending it checks its connection at the same pace instead, so that a database that has
 * stopped answering shows in health and is reconnected to, not only when the next request waits.
 *
 * <p>Requests blocked at once are bounded ({@code maxWaiting}): each holds a server thread, and
 * a token only needs a thread while the read model is behind it. A request whose token is already
 * covered never counts against the bound.
 */
public final class ConsistencyWatcher extends AbstractHealthIndicator implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ConsistencyWatcher.class);
  private static final int POLL_MILLIS = 250;
  private static final String CURRENT_VERSION = "SELECT version FROM aggregate_versions WHERE aggregate_id = ?";

  /** Opens the watcher's own connection, outside the pool: it is held for as long as it works. */
  @FunctionalInterface
  public interface ConnectionFactory {
    Connection open() throws SQLException;
  }

  /** What became of one request's wait. */
  public enum Outcome {
    /** The read model held the version when the request asked: no wait. */
    COVERED,
    /** The read model reached the version while the request waited. */
    REACHED,
    /** The read model did not reach it within the bound. */
    TIMED_OUT,
    /** The request would have had to wait, but as many requests as allowed were waiting already. */
    REFUSED
  }

  private final DataSource pool;
  private final ConnectionFactory connections;
  private final String channel;
  private final Duration recheckInterval;
  private final Semaphore blocked;
  private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
  private volatile boolean running;
  private volatile boolean listening;
  private volatile Connection current;
  private Thread thread;

  public ConsistencyWatcher(DataSource pool, ConnectionFactory connections, String channel, Duration recheckInterval,
      int maxWaiting, MeterRegistry meters) {
    super("consistency watcher check failed");
    this.pool = pool;
    this.connections = connections;
    this.channel = channel;
    this.recheckInterval = recheckInterval;
    this.blocked = new Semaphore(maxWaiting);
    for (Outcome outcome : Outcome.values()) {
      outcomes.put(outcome, Counter.builder("tally.query.consistency.waits")
          .description("Requests with a consistency token, by what became of their wait")
          .tag("outcome", outcome.name().toLowerCase(Locale.ROOT).replace('_', '-'))
          .register(meters));
    }
  }

  /**
   * Waits until the read model holds version {@code version} or later of aggregate {@code id}, or
   * {@code timeout} has passed, or refuses to wait when too many requests are waiting already.
   */
  public Outcome await(UUID id, long version, Duration timeout) throws InterruptedException {
    Outcome outcome = waitFor(id, version, timeout);
    outcomes.get(outcome).increment();
    return outcome;
  }

  private Outcome waitFor(UUID id, long version, Duration timeout) throws InterruptedException {
    Waiter waiter = new Waiter(id, version);
    waiters.add(waiter);
    try {
      if (currentVersion(id) >= version) {
        return Outcome.COVERED;
      }
      if (!blocked.tryAcquire()) {
        return Outcome.REFUSED;
      }
      try {
        waiter.reached.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return Outcome.REACHED;
      } finally {
        blocked.release();
      }
    } catch (TimeoutException e) {
      return Outcome.TIMED_OUT;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      waiters.remove(waiter);
    }
  }

  /** Requests waiting right now. */
  public int pendingWaits() {
    return waiters.size();
  }

  /** True while the watcher's connection is listening. */
  public boolean listening() {
    return listening;
  }

  private long currentVersion(UUID id) {
    try (Connection connection = pool.getConnection();
         PreparedStatement statement = connection.prepareStatement(CURRENT_VERSION)) {
      statement.setObject(1, id);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getLong(1) : 0;
      }
    } catch (SQLException e) {
      log.warn("cannot read the version of {}: {}", id, e.toString());
      throw QueryProblems.unavailable("The read model cannot be reached right now; retry later.",
          Duration.ofSeconds(1));
    }
  }

  @Override
  public synchronized void start() {
    running = true;
    thread = Thread.ofPlatform().name("consistency-watcher").daemon().start(this::run);
  }

  @Override
  public synchronized void stop() {
    running = false;
    Connection connection = current;
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // closing to wake the thread up; it is going away anyway
      }
    }
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.withDetail("channel", channel).withDetail("pendingWaits", waiters.size());
    if (listening) {
      builder.up();
    } else {
      builder.down();
    }
  }

  private void run() {
    while (running) {
      try (Connection connection = connections.open()) {
        current = connection;
        try (Statement statement = connection.createStatement()) {
          statement.execute("LISTEN " + channel);
        }
        listening = true;
        log.info("listening on {}", channel);
        PGConnection notifications = connection.unwrap(PGConnection.class);
        recheck(connection);
        long lastCheck = System.nanoTime();
        while (running) {
          PGNotification[] received = notifications.getNotifications(POLL_MILLIS);
          boolean notified = received != null && received.length > 0;
          boolean due = System.nanoTime() - lastCheck >= recheckInterval.toNanos();
          if (!waiters.isEmpty() && (notified || due)) {
            recheck(connection);
            lastCheck = System.nanoTime();
          } else if (due) {
            // Nothing to wake: make sure the server still answers (bounded by the socket timeout).
            try (Statement statement = connection.createStatement()) {
              statement.execute("SELECT 1");
            }
            lastCheck = System.nanoTime();
          }
        }
      } catch (SQLException | RuntimeException e) {
        listening = false;
        if (running) {
          log.warn("consistency watcher lost its connection ({}); reconnecting", e.toString());
          pause();
        }
      } finally {
        listening = false;
        current = null;
      }
    }
  }

  /** One query for every pending wait; completes those the read model now satisfies. */
  private void recheck(Connection connection) throws SQLException {
    List<Waiter> pending = List.copyOf(waiters);
    if (pending.isEmpty()) {
      return;
    }
    UUID[] ids = pending.stream().map(Waiter::id).distinct().toArray(UUID[]::new);
    Map<UUID, Long> versions = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT aggregate_id, version FROM aggregate_versions WHERE aggregate_id = ANY(?)")) {
      Array array = connection.createArrayOf("uuid", ids);
      statement.setArray(1, array);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          versions.put(rows.getObject(1, UUID.class), rows.getLong(2));
        }
      }
    }
    for (Waiter waiter : pending) {
      if (versions.getOrDefault(waiter.id(), 0L) >= waiter.version()) {
        waiter.reached.complete(null);
      }
    }
  }

  private void pause() {
    try {
      Thread.sleep(Duration.ofSeconds(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One waiting request; identity equality, so that two requests for the same version are two waiters. */
  private static final class Waiter {
    private final UUID id;
    private final long version;
    private final CompletableFuture<Void> reached = new CompletableFuture<>();

    Waiter(UUID id, long version) {
      this.id = id;
      this.version = version;
    }

    UUID id() {
      return id;
    }

    long version() {
      return version;
    }
  }
}
