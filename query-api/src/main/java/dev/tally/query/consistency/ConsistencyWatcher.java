package dev.tally.query.consistency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
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
 * satisfied, by aggregate type and id. A request checks once before it registers (most tokens are
 * covered already) and once after, which closes the race with a notification sent in between; after a reconnect, and every {@code recheckInterval} while waits are pending, the
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
  private static final String CURRENT_VERSION =
      "SELECT version FROM aggregate_versions WHERE aggregate_type = ? AND aggregate_id = ?";
  /** PostgreSQL's invalid_text_representation: the id column's type cannot read the text. */
  private static final String INVALID_TEXT = "22P02";

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
   * Waits until the read model holds version {@code version} or later of the aggregate of type
   * {@code type} and id {@code id}, or {@code timeout} has passed, or refuses to wait when too many
   * requests are waiting already. A version of another type's aggregate with the same id never
   * counts.
   */
  public Outcome await(String type, String id, long version, Duration timeout) throws InterruptedException {
    Outcome outcome = waitFor(new Aggregate(type, id), version, timeout);
    outcomes.get(outcome).increment();
    return outcome;
  }

  private Outcome waitFor(Aggregate aggregate, long version, Duration timeout) throws InterruptedException {
    long current = currentVersion(aggregate);
    if (current >= version) {
      return Outcome.COVERED;
    }
    // An id the read model cannot hold (-1) is never re-checked: it would fail every re-check with it.
    Waiter waiter = new Waiter(aggregate, version, current >= 0);
    waiters.add(waiter);
    try {
      // Checked again once registered: a batch committed in between may have sent its notification
      // before this waiter was there to be woken by it.
      if (waiter.checked && currentVersion(aggregate) >= version) {
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

  /**
   * The version of an aggregate the read model holds: 0 if none, -1 if the read model cannot hold
   * such an id at all (its id column refuses the text, as a {@code uuid} column refuses other text).
   * The id is sent untyped, so that the database reads it as its id column's type and the lookup
   * stays on the index, whatever that type is.
   */
  private long currentVersion(Aggregate aggregate) {
    try (Connection connection = pool.getConnection();
         PreparedStatement statement = connection.prepareStatement(CURRENT_VERSION)) {
      statement.setString(1, aggregate.type());
      statement.setObject(2, aggregate.id(), Types.OTHER);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getLong(1) : 0;
      }
    } catch (SQLException e) {
      if (INVALID_TEXT.equals(e.getSQLState())) {
        return -1;
      }
      log.warn("cannot read the version of {}: {}", aggregate, e.toString());
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
    List<Waiter> pending = waiters.stream().filter(waiter -> waiter.checked).toList();
    if (pending.isEmpty()) {
      return;
    }
    Map<Aggregate, Long> versions = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT aggregate_type, aggregate_id::text, version FROM aggregate_versions WHERE aggregate_id = ANY(?)")) {
      // An array literal, untyped: the database reads it as an array of its id column's type.
      statement.setObject(1, arrayLiteral(pending.stream().map(waiter -> waiter.aggregate.id()).distinct().toList()),
          Types.OTHER);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          versions.put(new Aggregate(rows.getString(1), rows.getString(2)), rows.getLong(3));
        }
      }
    }
    for (Waiter waiter : pending) {
      if (versions.getOrDefault(waiter.aggregate, 0L) >= waiter.version) {
        waiter.reached.complete(null);
      }
    }
  }

  /** PostgreSQL's text form of an array: every element quoted, quotes and backslashes escaped. */
  static String arrayLiteral(List<String> elements) {
    return elements.stream()
        .map(element -> "\"" + element.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
        .collect(Collectors.joining(",", "{", "}"));
  }

  private void pause() {
    try {
      Thread.sleep(Duration.ofSeconds(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An aggregate as a token names it. */
  private record Aggregate(String type, String id) {
  }

  /**
   * One waiting request; identity equality, so that two requests for the same version are two
   * waiters. {@code checked}: the read model can hold its id, so re-checks may name it.
   */
  private static final class Waiter {
    private final Aggregate aggregate;
    private final long version;
    private final boolean checked;
    private final CompletableFuture<Void> reached = new CompletableFuture<>();

    Waiter(Aggregate aggregate, long version, boolean checked) {
      this.aggregate = aggregate;
      this.version = version;
      this.checked = checked;
    }
  }
}
