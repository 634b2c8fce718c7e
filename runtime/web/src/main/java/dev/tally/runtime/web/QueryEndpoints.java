package dev.tally.runtime.web;

import java.util.List;

/**
 * The HTTP face of an aggregate's queries, one of the faces a slice registers: the controller class
 * a query API adds as a bean, and the paths it serves, on which the query API checks the query
 * string and honours consistency tokens before the controller reads anything.
 *
 * @param controller a Spring MVC controller of reads; its constructor takes what the query API
 *     provides ({@code JdbcClient} over the read model, {@link PageSize})
 * @param paths Spring MVC path patterns of its requests, such as {@code /customers} and {@code /customers/**}
 */
public record QueryEndpoints(Class<?> controller, List<String> paths) {

  public QueryEndpoints {
    paths = List.copyOf(paths);
  }
}
