package dev.tally.runtime.web;

import java.util.List;

/** One page of a list; {@code next} is the cursor of the following page, or null on the last one. */
public record Page<T>(List<T> items, String next) {
}
