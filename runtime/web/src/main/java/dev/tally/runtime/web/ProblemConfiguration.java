package dev.tally.runtime.web;

import org.apache.catalina.core.StandardHost;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Problems wherever an answer is made outside Spring MVC: the servlet container's error page
 * ({@link ProblemErrorController}) and Tomcat's own refusals ({@link ProblemReportValve}). An API
 * imports it and declares its advice, a subclass of {@link ProblemHandler}.
 */
@Configuration(proxyBeanMethods = false)
public class ProblemConfiguration {

  @Bean
  ProblemErrorController problemErrorController() {
    return new ProblemErrorController();
  }

  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemReports() {
    return factory -> factory.addContextCustomizers((TomcatContextCustomizer) context -> {
      if (context.getParent() instanceof StandardHost host) {
        host.setErrorReportValveClass(ProblemReportValve.class.getName());
      }
    });
  }
}
