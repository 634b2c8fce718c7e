package dev.tally.query;

import dev.tally.testing.Http;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One running query API (random port, real HTTP) over one read-model database, connected as the
 * reader role, shared by the query API's HTTP tests. Tests use their own ids and owners.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class QueryApiTestBase {

  static final Duration WAIT = Duration.ofSeconds(2);
  static final ReadModelFixture DB = ReadModelFixture.create();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", DB::jdbcUrl);
    registry.add("spring.datasource.username", () -> ReadModelFixture.READER);
    registry.add("spring.datasource.password", () -> ReadModelFixture.READER);
    registry.add("tally.tokens.keys", () -> TestTokens.KEYS);
    registry.add("tally.query.consistency-wait", () -> WAIT.toMillis() + "ms");
    // Only notifications may wake a waiting request in these tests, not the periodic safety check.
    registry.add("tally.query.consistency-recheck-interval", () -> "1h");
  }

  @Value("${local.server.port}")
  int port;

  URI uri(String pathAndQuery) {
    return URI.create("http://localhost:" + port + pathAndQuery);
  }

  HttpResponse<String> get(String pathAndQuery) {
    return Http.get(uri(pathAndQuery).toString());
  }

  HttpResponse<String> get(String pathAndQuery, String header, String value) {
    return Http.send(HttpRequest.newBuilder(uri(pathAndQuery)).header(header, value).timeout(Duration.ofSeconds(30))
        .GET().build());
  }
}
