package dev.tally.platform.gateway;

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
 * are refused at once), and each waits at most {@code replyTimeout}. A command that is not
 * answered in time is dropped by the writer when it arrives after its deadline, so an
 * {@link Unavailable} answer means nothing was appended (but for the narrow race described in
 * ADR 7) and a retry with the same idempotency key is always safe.
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
      throw new Unavailable("the writers are unreachable (circuit open): the command was not sent",
          circuit.retryAfter());
    }
    if (!inFlight.tryAcquire()) {
      circuit.release();
      count(type, "overloaded", "");
      throw new Unavailable("too many commands in flight");
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
      throw unavailable(type, sample, "interrupted");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      circuit.unanswered(System.nanoTime() - start, e);
      throw unavailable(type, sample, e.getClass().getSimpleName());
    } finally {
      inFlight.release();
    }
  }

  /** Replies sent before the reply consumer has its partitions would be missed: wait for them once. */
  private void awaitReplyAssignment() throws InterruptedException {
    if (!repliesAssigned) {
      repliesAssigned = template.waitForAssignment(replyTimeout);
      if (!repliesAssigned) {
        throw new Unavailable("the reply consumer has no partitions yet");
      }
    }
  }

  private Unavailable unavailable(String type, Timer.Sample sample, String why) {
    count(type, "timeout", "");
    sample.stop(latency(type, "timeout"));
    return new Unavailable("command not confirmed within " + replyTimeout.toMillis() + " ms (" + why + ")");
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

  /** The command could not be confirmed in time; retrying with the same idempotency key is safe. */
  public static final class Unavailable extends RuntimeException {
    private final Duration retryAfter;

    public Unavailable(String message) {
      this(message, Duration.ofSeconds(1));
    }

    public Unavailable(String message, Duration retryAfter) {
      super(message);
      this.retryAfter = retryAfter;
    }

    /** How long the client should wait before retrying. */
    public Duration retryAfter() {
      return retryAfter;
    }
  }
}
