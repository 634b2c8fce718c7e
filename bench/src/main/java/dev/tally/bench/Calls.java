package dev.tally.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests of the benchmark, each checking its whole answer: a deposit must come back 200
 * naming its account, a version and a consistency token; a read must come back 200 naming its
 * account. Anything else is an error, counted by what it was.
 */
final class Calls {

  private static final String HOST = "127.0.0.1";

  private Calls() {
  }

  static String deposit(HttpConnection command, int port, UUID account, long sequence, String[] token) throws Exception {
    byte[] request = HttpConnection.request("POST", "/accounts/" + account + "/deposits", HOST, port, Map.of(),
        "{\"amount\": " + (1 + sequence % 1000) + ", \"reference\": \"bench-" + sequence + "\"}");
    HttpConnection.Response response = command.exchange(request);
    if (response.status() != 200) {
      return "deposit: HTTP " + response.status();
    }
    String id = Json.field(response.body(), "accountId");
    String version = Json.field(response.body(), "version");
    String consistency = Json.field(response.body(), "consistencyToken");
    if (!account.toString().equals(id) || version == null || !version.matches("[1-9][0-9]*") || consistency == null) {
      return "deposit: unexpected body";
    }
    if (token != null) {
      token[0] = consistency;
    }
    return null;
  }

  static String read(HttpConnection query, int port, UUID account, String token) throws Exception {
    byte[] request = HttpConnection.request("GET", "/accounts/" + account, HOST, port,
        token == null ? Map.of() : Map.of("Consistency-Token", token), null);
    HttpConnection.Response response = query.exchange(request);
    if (response.status() != 200) {
      return "read: HTTP " + response.status();
    }
    if (!account.toString().equals(Json.field(response.body(), "accountId")) || Json.field(response.body(), "version") == null) {
      return "read: unexpected body";
    }
    return null;
  }

  /** Deposits to random accounts of the list. */
  static Load.Call deposits(int port, List<UUID> accounts) {
    HttpConnection command = new HttpConnection(HOST, port);
    return new Load.Call() {
      @Override
      public String call(long sequence) throws Exception {
        return deposit(command, port, accounts.get(ThreadLocalRandom.current().nextInt(accounts.size())), sequence, null);
      }

      @Override
      public void close() {
        command.close();
      }
    };
  }

  /** Reads of random accounts of the list. */
  static Load.Call reads(int port, List<UUID> accounts) {
    HttpConnection query = new HttpConnection(HOST, port);
    return new Load.Call() {
      @Override
      public String call(long sequence) throws Exception {
        return read(query, port, accounts.get(ThreadLocalRandom.current().nextInt(accounts.size())), null);
      }

      @Override
      public void close() {
        query.close();
      }
    };
  }

  /** A deposit, then a read of the same account with the deposit's consistency token. */
  static Load.Call writeThenRead(int commandPort, int queryPort, List<UUID> accounts) {
    HttpConnection command = new HttpConnection(HOST, commandPort);
    HttpConnection query = new HttpConnection(HOST, queryPort);
    String[] token = new String[1];
    return new Load.Call() {
      @Override
      public String call(long sequence) throws Exception {
        UUID account = accounts.get(ThreadLocalRandom.current().nextInt(accounts.size()));
        String error = deposit(command, commandPort, account, sequence, token);
        return error != null ? error : read(query, queryPort, account, token[0]);
      }

      @Override
      public void close() {
        command.close();
        query.close();
      }
    };
  }

  /** Opens {@code count} accounts from {@code workers} connections; answers their ids. */
  static List<UUID> openAccounts(int port, int count, int workers) throws InterruptedException {
    UUID[] opened = new UUID[count];
    AtomicInteger next = new AtomicInteger();
    ConcurrentHashMap<String, Integer> errors = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      threads.add(Thread.ofPlatform().start(() -> {
        try (HttpConnection command = new HttpConnection(HOST, port)) {
          for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            byte[] request = HttpConnection.request("POST", "/accounts", HOST, port, Map.of(),
                "{\"owner\": \"bench-" + i % 100 + "\", \"currency\": \"EUR\"}");
            try {
              HttpConnection.Response response = command.exchange(request);
              String id = Json.field(response.body(), "accountId");
              if (response.status() == 201 && id != null && "1".equals(Json.field(response.body(), "version"))) {
                opened[i] = UUID.fromString(id);
              } else {
                errors.merge("open: HTTP " + response.status(), 1, Integer::sum);
              }
            } catch (Exception e) {
              errors.merge("open: " + e.getClass().getSimpleName(), 1, Integer::sum);
            }
          }
        }
      }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException("opening accounts failed: " + errors);
    }
    return List.of(opened);
  }
}
