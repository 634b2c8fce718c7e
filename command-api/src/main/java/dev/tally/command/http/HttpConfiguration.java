package dev.tally.command.http;

import dev.tally.ledger.Ledger;
import dev.tally.runtime.core.Slice;
import dev.tally.runtime.web.ProblemConfiguration;
import dev.tally.runtime.writer.http.CommandEdge;
import dev.tally.runtime.writer.http.CommandEndpoints;
import dev.tally.runtime.writer.http.CommandFactory;
import dev.tally.runtime.writer.http.CommandGateways;
import dev.tally.runtime.writer.http.CommandProblems;
import dev.tally.runtime.writer.http.TokenSigner;
import java.time.Clock;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The HTTP edge: the body limit and the shape every command request must have, on the paths of
 * every registered slice's commands; problems wherever a refusal is made ({@link
 * ProblemConfiguration}, {@link CommandProblems}); the command edge the controllers answer through.
 */
@Configuration(proxyBeanMethods = false)
@Import({ProblemConfiguration.class, CommandProblems.class})
@EnableConfigurationProperties(TokenProperties.class)
public class HttpConfiguration implements WebMvcConfigurer {

  /** Servlet URL patterns of every command ({@code /accounts/*}). */
  private static final List<String> PATHS = Slice.faces(Ledger.SLICES, CommandEndpoints.class).stream()
      .flatMap(endpoints -> endpoints.paths().stream()).toList();

  @Bean
  FilterRegistrationBean<BodyLimitFilter> bodyLimitFilter() {
    FilterRegistrationBean<BodyLimitFilter> registration = new FilterRegistrationBean<>(new BodyLimitFilter());
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    registration.setUrlPatterns(PATHS);
    return registration;
  }

  /** The same paths as MVC patterns: a servlet {@code /x/*} matches everything below {@code /x}. */
  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(new CommandRequestShape())
        .addPathPatterns(PATHS.stream().map(path -> path.endsWith("/*") ? path + "*" : path).toList());
  }

  @Bean
  OpenApiCustomizer commandHeaderDescriptions() {
    return CommandHeaders.descriptions();
  }

  @Bean
  CommandEdge commandEdge(CommandGateways gateways, TokenProperties tokens) {
    return new CommandEdge(gateways, new CommandFactory(Clock.systemUTC()), new TokenSigner(tokens.load()));
  }
}
