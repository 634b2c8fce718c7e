package dev.tally.query;

import dev.tally.runtime.projection.Projection;
import dev.tally.ledger.Ledger;
import static dev.tally.query.Answers.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.runtime.projection.ReadModelSchemas;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A query API started with {@code tally.query.schema} naming a point-in-time copy (what
 * {@code tally as-of} makes) answers from that copy, not from the live model.
 */
class AsOfSchemaTest extends QueryApiTestBase {

  private static final String SCHEMA = "tally_asof_20260101t000000z";
  private static final UUID ACCOUNT = UUID.randomUUID();

  @DynamicPropertySource
  static void copy(DynamicPropertyRegistry registry) {
    ReadModelSchemas.migrate(DB.owner(), SCHEMA, ReadModelFixture.READER, Projection.of(Ledger.SLICES));
    DB.execute("INSERT INTO " + SCHEMA + ".accounts VALUES (?, 'then', 'EUR', 42, 'OPEN', 2, now(), now())", ACCOUNT);
    DB.account(ACCOUNT, "now", 99, "OPEN", 5, Instant.parse("2026-01-01T00:00:00Z"));
    registry.add("tally.query.schema", () -> SCHEMA);
  }

  @Test
  void readsComeFromTheConfiguredSchema() {
    var response = get("/accounts/" + ACCOUNT);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).get("balance").asLong()).isEqualTo(42);
    assertThat(json(response).get("owner").asString()).isEqualTo("then");
  }

  @Test
  void aSchemaThatIsNotAnIdentifierIsRefusedAtStartUp() {
    assertThatThrownBy(() -> new QueryProperties(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofSeconds(1),
            100, Duration.ofSeconds(1), "tally_projection", 50, 200, "tally_read; DROP TABLE accounts"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tally.query.schema");
  }
}
