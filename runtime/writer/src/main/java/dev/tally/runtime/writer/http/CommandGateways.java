package dev.tally.runtime.writer.http;

import dev.tally.runtime.writer.CommandGateway;
import java.util.Map;

/**
 * The gateway to the single writer of each aggregate type a command API serves.
 *
 * @param byAggregateType one gateway per aggregate type
 */
public record CommandGateways(Map<String, CommandGateway> byAggregateType) {

  public CommandGateways {
    byAggregateType = Map.copyOf(byAggregateType);
  }

  /** The gateway to the writer of {@code aggregateType}. */
  public CommandGateway of(String aggregateType) {
    CommandGateway gateway = byAggregateType.get(aggregateType);
    if (gateway == null) {
      throw new IllegalArgumentException("no writer for the aggregate type " + aggregateType + " in this service");
    }
    return gateway;
  }
}
