package dev.tally.runtime.web;

/**
 * How many items a page of a list holds, the same for every list a query API serves: {@code limit}
 * when a request gives one (a plain number from 1 to {@code max}), else {@code defaultSize}.
 */
public record PageSize(int defaultSize, int max) {

  public PageSize {
    if (defaultSize < 1 || max < defaultSize) {
      throw new IllegalArgumentException("need 1 <= default page size <= max page size");
    }
  }

  /** The page size a request asks for; anything but a whole number in range is a 400 naming {@code limit}. */
  public int of(String limit) {
    if (limit == null) {
      return defaultSize;
    }
    int size = limit.matches("[0-9]{1,9}") ? Integer.parseInt(limit) : -1;
    if (size < 1 || size > max) {
      throw Problem.invalidParameter("invalid-limit", "limit", "limit must be a whole number from 1 to " + max + ".");
    }
    return size;
  }
}
