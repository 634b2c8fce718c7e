package dev.tally.query;

import com.zaxxer.hikari.HikariDataSource;
import dev.tally.query.consistency.ConsistencyInterceptor;
import dev.tally.query.consistency.ConsistencyWatcher;
import dev.tally.query.transfer.TransferController;
import dev.tally.ledger.Ledger;
import dev.tally.runtime.core.Slice;
import dev.tally.runtime.web.PageSize;
import dev.tally.runtime.web.ProblemConfiguration;
import dev.tally.runtime.web.QueryEndpoints;
import dev.tally.schemas.ConsistencyTokenKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Explicit wiring of the query API: the query endpoints of every registered slice, the shared
 * consistency watcher, the keys tokens are verified with, and the checks that run before every
 * query (parameters, then the token) on the paths those endpoints declare.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({QueryProperties.class, TokenProperties.class})
@Import(ProblemConfiguration.class)
class QueryApiConfiguration {

  /** What this API serves: every registered slice's query face, and the transfer placeholder. */
  static final List<QueryEndpoints> SERVED = Stream.concat(Slice.faces(Ledger.SLICES, QueryEndpoints.class).stream(),
      Stream.of(TransferController.ENDPOINTS)).toList();

  /** Each slice's query controller, a bean like any other (the placeholder is component-scanned). */
  @Bean
  static BeanDefinitionRegistryPostProcessor sliceQueries() {
    return registry -> register(registry, Slice.faces(Ledger.SLICES, QueryEndpoints.class));
  }

  static void register(BeanDefinitionRegistry registry, List<QueryEndpoints> faces) {
    for (QueryEndpoints endpoints : faces) {
      registry.registerBeanDefinition(endpoints.controller().getName(), new RootBeanDefinition(endpoints.controller()));
    }
  }

  @Bean
  PageSize pageSize(QueryProperties settings) {
    return new PageSize(settings.defaultPageSize(), settings.maxPageSize());
  }

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
        List<String> queries = SERVED.stream().flatMap(endpoints -> endpoints.paths().stream()).toList();
        registry.addInterceptor(new ParameterCheck()).addPathPatterns(queries);
        registry.addInterceptor(consistency).addPathPatterns(queries);
      }
    };
  }
}
