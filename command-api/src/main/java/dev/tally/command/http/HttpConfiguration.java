package dev.tally.command.http;

import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The HTTP edge: the body limit, the command factory and the token signer; the controller and
 * advice are scanned.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TokenProperties.class)
public class HttpConfiguration {

  @Bean
  FilterRegistrationBean<BodyLimitFilter> bodyLimitFilter() {
    FilterRegistrationBean<BodyLimitFilter> registration = new FilterRegistrationBean<>(new BodyLimitFilter());
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    registration.addUrlPatterns("/accounts", "/accounts/*");
    return registration;
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
