package dev.tally.query;

import com.zaxxer.hikari.HikariDataSource;
import dev.tally.query.consistency.ConsistencyInterceptor;
import dev.tally.query.consistency.ConsistencyWatcher;
import dev.tally.runtime.web.ProblemConfiguration;
import dev.tally.schemas.ConsistencyTokenKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.Properties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Explicit wiring of the query API: the shared consistency watcher, the keys tokens are verified
 * with, and the checks that run before every query (parameters, then the token).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({QueryProperties.class, TokenProperties.class})
@Import(ProblemConfiguration.class)
class QueryApiConfiguration {

  /**
   * The watcher's own connection gets the pool's driver settings (application.yml), among them
   * the connect and socket timeouts: a server that stops answering fails it instead of hanging it.
   */
  @Bean
  ConsistencyWatcher consistencyWatcher(HikariDataSource pool, DataSourceProperties database, QueryProperties settings,
      MeterRegistry meters) {
    String url = database.determineUrl();
    Properties driver = new Properties();
    driver.putAll(pool.getDataSourceProperties());
    driver.setProperty("user", database.determineUsername());
    driver.setProperty("password", database.determinePassword());
    return new ConsistencyWatcher(pool, () -> {
      Connection connection = DriverManager.getConnection(url, driver);
      connection.setSchema(settings.schema());
      return connection;
    }, settings.notifyChannel(), settings.consistencyRecheckInterval(), settings.maxWaitingRequests(), meters);
  }

  @Bean
  ConsistencyTokenKeys consistencyTokenKeys(TokenProperties tokens) {
    return tokens.load();
  }

  @Bean
  WebMvcConfigurer queryChecks(ConsistencyWatcher watcher, ConsistencyTokenKeys keys, QueryProperties settings) {
    ConsistencyInterceptor consistency = new ConsistencyInterceptor(watcher, keys, settings, Clock.systemUTC());
    return new WebMvcConfigurer() {
      @Override
      public void addInterceptors(InterceptorRegistry registry) {
        String[] queries = {"/accounts/**", "/accounts", "/transfers/**"};
        registry.addInterceptor(new ParameterCheck()).addPathPatterns(queries);
        registry.addInterceptor(consistency).addPathPatterns(queries);
      }
    };
  }
}
