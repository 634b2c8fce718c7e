package dev.tally.runtime.writer;

import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.SchemaCatalog;
import dev.tally.schemas.command.CommandResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;

/**
 * Sends a command to the single writer of its aggregate and waits for the answer.
 *
 * <p>Bounded everywhere: at most {@code maxInFlight} commands wait at once (a bulkhead; the rest
 * are refused at once), and each waits at most {@code replyTimeout}. An {@link Unavailable}
 * answer says what the caller may conclude: a command that was never sent was not appended; one
 * that was sent and not answered in time may still be (the writer decides it only with a margin
 * before its deadline, but a commit can be slower than that margin), and a retry with the same
 * idempotency key learns which (ADR 8).
 *
 * <p>While the writers are known to be unreachable, a {@link CommandCircuit} refuses commands at
 * once, without sending them (ADR 15).
 */
public class CommandGateway {

  private static final AvroCodec CODEC = AvroCodec.standard();

  private final ReplyingKafkaTemplate<String, byte[], byte[]> template;
  private final String commandsTopic;
  private final Duration replyTimeout;
  private final Semaphore inFlight;
  private final MeterRegistry meters;
  private final CommandCircuit circuit;
  private volatile boolean repliesAssigned;

  public CommandGateway(ReplyingKafkaTemplate<String, byte[], byte[]> template, String commandsTopic,
      Duration replyTimeout, int maxInFlight, MeterRegistry meters, CommandCircuit circuit) {
    this.template = template;
    this.commandsTopic = commandsTopic;
    this.replyTimeout = replyTimeout;
    this.inFlight = new Semaphore(maxInFlight);
    this.meters = meters;
    this.circuit = circuit;
  }

  /**
   * Sends the command, keyed by its aggregate id, and returns the writer's result.
   *
   * @throws Unavailable when the command could not be confirmed in time
   */
  public CommandResult send(String aggregateId, SpecificRecord command) {
    String type = SchemaCatalog.wireType(command.getSchema()).orElse(command.getSchema().getName());
    if (!circuit.tryAcquire()) {
      count(type, "circuit_open", "");
      throw Unavailable.notSent("the writers are unreachable (circuit open): the command was not sent",
          circuit.retryAfter());
    }
    if (!inFlight.tryAcquire()) {
      circuit.release();
      count(type, "overloaded", "");
      throw Unavailable.notSent("too many commands in flight", Duration.ofSeconds(1));
    }
    Timer.Sample sample = Timer.start(meters);
    long start = System.nanoTime();
    try {
      awaitReplyAssignment();
      ConsumerRecord<String, byte[]> reply = template
          .sendAndReceive(new ProducerRecord<>(commandsTopic, aggregateId, CODEC.encode(command)), replyTimeout)
          .get(replyTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      CommandResult result = (CommandResult) CODEC.decode(reply.value());
      circuit.answered(System.nanoTime() - start);
      String reason = result.getRejectionCode() == null ? "" : result.getRejectionCode();
      count(type, result.getOutcome().name().toLowerCase(), reason);
      sample.stop(latency(type, result.getOutcome().name().toLowerCase()));
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      circuit.release();
      throw timedOut(type, sample, unconfirmed("interrupted"));
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      circuit.unanswered(System.nanoTime() - start, e);
      throw timedOut(type, sample, e instanceof Unavailable notSent ? notSent : unconfirmed(e.getClass().getSimpleName()));
    } finally {
      inFlight.release();
    }
  }

  /** Replies sent before the reply consumer has its partitions would be missed: wait for them once. */
  private void awaitReplyAssignment() throws InterruptedException {
    if (!repliesAssigned) {
      repliesAssigned = template.waitForAssignment(replyTimeout);
      if (!repliesAssigned) {
        throw Unavailable.notSent("the reply consumer has no partitions yet", Duration.ofSeconds(1));
      }
    }
  }

  private Unavailable unconfirmed(String why) {
    return Unavailable.unconfirmed("the command was not confirmed within " + replyTimeout.toMillis() + " ms (" + why + ")");
  }

  private Unavailable timedOut(String type, Timer.Sample sample, Unavailable unavailable) {
    count(type, "timeout", "");
    sample.stop(latency(type, "timeout"));
    return unavailable;
  }


  private Timer latency(String type, String outcome) {
    return Timer.builder("tally.command.latency")
        .description("Time from sending a command to receiving its result (histogram: percentiles by histogram_quantile)")
        .tag("type", type)
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(meters);
  }

  private void count(String type, String outcome, String reason) {
    meters.counter("tally.command.outcomes", "type", type, "outcome", outcome, "reason", reason).increment();
  }

  /**
   * The command could not be confirmed. Either it was never sent (nothing was or will be
   * appended), or it was sent and its outcome is unknown: a retry with the same idempotency key
   * is safe in both cases, and in the second one it returns the outcome.
   */
  public static final class Unavailable extends RuntimeException {

    private final Duration retryAfter;
    private final boolean sent;

    private Unavailable(String message, Duration retryAfter, boolean sent) {
      super(message);
      this.retryAfter = retryAfter;
      this.sent = sent;
    }

    /** Refused before it was handed to Kafka: nothing was appended, nothing will be. */
    public static Unavailable notSent(String why, Duration retryAfter) {
      return new Unavailable(why, retryAfter, false);
    }

    /** Handed to Kafka and not answered in time: it may still be appended. */
    public static Unavailable unconfirmed(String why) {
      return new Unavailable(why, Duration.ofSeconds(1), true);
    }

    /** How long the client should wait before retrying. */
    public Duration retryAfter() {
      return retryAfter;
    }

    /** Whether the command may have been (or may still be) appended. */
    public boolean mayBeAppended() {
      return sent;
    }
  }
}
