package dev.tally.query;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The query API: low-latency reads from the PostgreSQL read model. */
@SpringBootApplication
public class QueryApiApplication {

  public static void main(String[] args) {
    SpringApplication.run(QueryApiApplication.class, args);
  }
}
