package dev.tally.command;

import dev.tally.runtime.writer.CommandCircuit;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The circuit breaker in front of the writers (ADR 15); its bean name is its health component's name. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CommandCircuitConfiguration.CircuitProperties.class)
class CommandCircuitConfiguration {

  @Bean
  CommandCircuit commandCircuit(CircuitProperties properties, MeterRegistry meters) {
    return new CommandCircuit("commands", properties.failures(), properties.openFor(), properties.probes(), meters);
  }

  /**
   * Settings of the command circuit ({@code tally.command.circuit.*}).
   *
   * @param failures commands in a row without an answer in time that open it (at least 2)
   * @param openFor how long it then refuses every command at once (the Retry-After it sends)
   * @param probes how many commands it then lets through to find out whether the writers are back
   */
  @ConfigurationProperties("tally.command.circuit")
  record CircuitProperties(
      @DefaultValue("5") int failures,
      @DefaultValue("2s") Duration openFor,
      @DefaultValue("3") int probes) {
  }
}
