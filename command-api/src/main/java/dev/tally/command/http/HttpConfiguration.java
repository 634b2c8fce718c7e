package dev.tally.command.http;

import dev.tally.runtime.web.ProblemConfiguration;
import java.time.Clock;
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
 * The HTTP edge: the body limit, the shape every command request must have, problems wherever a
 * refusal is made ({@link ProblemConfiguration}), the command factory and the token signer; the
 * controller and advice are scanned.
 */
@Configuration(proxyBeanMethods = false)
@Import(ProblemConfiguration.class)
@EnableConfigurationProperties(TokenProperties.class)
public class HttpConfiguration implements WebMvcConfigurer {

  @Bean
  FilterRegistrationBean<BodyLimitFilter> bodyLimitFilter() {
    FilterRegistrationBean<BodyLimitFilter> registration = new FilterRegistrationBean<>(new BodyLimitFilter());
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    registration.addUrlPatterns("/accounts", "/accounts/*");
    return registration;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(new CommandRequestShape()).addPathPatterns("/accounts", "/accounts/**");
  }

  @Bean
  OpenApiCustomizer commandHeaderDescriptions() {
    return ApiDocs.headerDescriptions();
  }

  @Bean
  CommandFactory commandFactory() {
    return new CommandFactory(Clock.systemUTC());
  }

  @Bean
  TokenSigner tokenSigner(TokenProperties tokens) {
    return new TokenSigner(tokens.load());
  }
}
