package dev.tally.query;

import dev.tally.testing.Http;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One running query API on a random port, over a database of the test's choosing, for tests that
 * need settings of their own or a database they can take away.
 */
final class QueryApiInstance implements AutoCloseable {

  private final ConfigurableApplicationContext context;
  private final String baseUrl;

  private QueryApiInstance(ConfigurableApplicationContext context) {
    this.context = context;
    this.baseUrl = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
  }

  /** Connected as the reader role to {@code jdbcUrl}; {@code extra} settings win over application.yml. */
  static QueryApiInstance start(String jdbcUrl, Map<String, Object> extra) {
    Map<String, Object> properties = new HashMap<>();
    properties.put("server.port", 0);
    properties.put("spring.datasource.url", jdbcUrl);
    properties.put("spring.datasource.username", ReadModelFixture.READER);
    properties.put("spring.datasource.password", ReadModelFixture.READER);
    properties.put("tally.tokens.keys", TestTokens.KEYS);
    properties.putAll(extra);
    String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    return new QueryApiInstance(new SpringApplicationBuilder(QueryApiApplication.class).run(args));
  }

  <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  URI uri(String path) {
    return URI.create(baseUrl + path);
  }

  /** A GET with the given header pairs, waiting at most {@code timeout} for the answer. */
  HttpResponse<String> get(String path, Duration timeout, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(timeout).GET();
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return Http.send(request.build());
  }

  @Override
  public void close() {
    context.close();
  }
}
