package dev.tally.runtime.writer.http;

import dev.tally.schemas.ConsistencyToken;
import dev.tally.schemas.ConsistencyTokenKeys;

/**
 * Turns the writer's answer into the consistency token a client gets. The writer states the
 * position its command reached, unsigned ({@link ConsistencyToken#encode()}); the HTTP edge signs
 * it, so that the query API, which waits for whatever a token names, can refuse tokens nobody
 * issued. A replayed answer is signed again, with the key that signs now.
 */
public final class TokenSigner {

  private final ConsistencyTokenKeys keys;

  public TokenSigner(ConsistencyTokenKeys keys) {
    this.keys = keys;
  }

  /**
   * @param aggregateType the type of the writer that answered: a position it remembered from before
   *     positions named their type is of that type
   */
  public String sign(String aggregateType, String position) {
    return keys.sign(ConsistencyToken.decodePosition(position, aggregateType));
  }
}
