package dev.tally.query;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/** The query API: low-latency reads from the PostgreSQL read model. */
@SpringBootApplication
@Import(QueryApiConfiguration.class)
public class QueryApiApplication {

  public static void main(String[] args) {
    SpringApplication.run(QueryApiApplication.class, args);
  }
}
