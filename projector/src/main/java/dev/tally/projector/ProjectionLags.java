package dev.tally.projector;

import dev.tally.runtime.projection.ProjectionLag;
import java.util.List;

/** The lag of every projection, measured together. */
record ProjectionLags(List<ProjectionLag> all) implements AutoCloseable {

  ProjectionLags {
    all = List.copyOf(all);
  }

  void refresh() {
    all.forEach(ProjectionLag::refresh);
  }

  @Override
  public void close() {
    all.forEach(ProjectionLag::close);
  }
}
