package dev.tally.runtime.core;

import java.util.List;
import java.util.Objects;

/**
 * Everything about one aggregate type, registered once: its faces, such as the wire mapping its
 * single writer decides with, the HTTP endpoints of its commands and queries, its projections.
 * Each service takes the faces it knows ({@link #faces(Class)}) from every registered slice and
 * ignores the rest, so the services, the CLI and the runtime never name an aggregate.
 *
 * @param aggregateType the aggregate's stable name: topics, stores and ids derive from it
 * @param faces the aggregate's faces, of any type a service may ask for
 */
public record Slice(String aggregateType, List<Object> faces) {

  public Slice {
    Objects.requireNonNull(aggregateType, "aggregateType");
    faces = List.copyOf(faces);
  }

  /** The faces of this slice that are {@code kind}s, in their order. */
  public <T> List<T> faces(Class<T> kind) {
    return faces.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  /** The faces of {@code kind} of every slice, slice after slice. */
  public static <T> List<T> faces(List<Slice> slices, Class<T> kind) {
    return slices.stream().flatMap(slice -> slice.faces(kind).stream()).toList();
  }
}
