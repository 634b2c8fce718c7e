package dev.tally.runtime.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The static group membership id of the instance that owns a state directory: one state
 * directory is one member, across restarts. A restarted instance rejoins as the member it was
 * and takes its partitions back at once, instead of waiting for the session of the member it
 * replaces to time out. Random, and kept in the directory, so two hosts never share one by
 * accident; a copied directory would: the broker then fences one of the two.
 */
final class MemberIdentity {

  static final String FILE = "tally-member-id";

  private MemberIdentity() {
  }

  /** The id kept in {@code stateDir}, made on first use. */
  static String of(Path stateDir) {
    Path file = stateDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String id = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!id.isEmpty()) {
          return id;
        }
      }
      Files.createDirectories(stateDir);
      String id = "tally-" + UUID.randomUUID();
      Path written = Files.writeString(stateDir.resolve(FILE + ".new"), id, StandardCharsets.UTF_8);
      Files.move(written, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the member id in " + stateDir, e);
    }
  }
}
