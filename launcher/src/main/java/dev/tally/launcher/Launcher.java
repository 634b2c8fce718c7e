package dev.tally.launcher;

/** Argument handling shared by the launcher's entry points. */
final class Launcher {

  private Launcher() {
  }

  static String option(String[] args, String name) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    fail("missing option " + name);
    return null;
  }

  static void fail(String message) {
    System.err.println("tally: " + message);
    System.exit(2);
  }
}
