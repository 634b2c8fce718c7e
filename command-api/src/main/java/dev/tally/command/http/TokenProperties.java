package dev.tally.command.http;

import dev.tally.schemas.ConsistencyTokenKeys;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The keys consistency tokens are signed with ({@code tally.tokens.*}), shared with the query API:
 * exactly one of the two is set. The first key listed signs (docs/api.md, rotation).
 *
 * @param keys the keys as text, {@code <id>:<secret>} separated by commas (compose: an env var)
 * @param keyFile a file holding them, one a line (the local stack: under {@code TALLY_HOME})
 */
@ConfigurationProperties("tally.tokens")
record TokenProperties(String keys, Path keyFile) {

  ConsistencyTokenKeys load() {
    return ConsistencyTokenKeys.configured(keys, keyFile, "tally.tokens");
  }
}
