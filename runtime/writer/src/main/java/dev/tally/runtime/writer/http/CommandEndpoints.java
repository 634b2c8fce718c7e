package dev.tally.runtime.writer.http;

import java.util.List;

/**
 * The HTTP face of an aggregate's commands, one of the faces a slice registers: the controller
 * class a command API adds as a bean, and the paths it serves, to which the command API applies
 * its body limit and its request shape.
 *
 * @param controller a Spring MVC controller whose handlers answer through {@link CommandEdge}
 * @param paths servlet URL patterns of its requests, such as {@code /customers} and {@code /customers/*}
 */
public record CommandEndpoints(Class<?> controller, List<String> paths) {

  public CommandEndpoints {
    paths = List.copyOf(paths);
  }
}
