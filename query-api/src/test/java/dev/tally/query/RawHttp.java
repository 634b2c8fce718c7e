package dev.tally.query;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.0 over a plain socket, byte for byte as written: for the requests an HTTP client library
 * refuses to send (broken percent-encoding, odd methods, raw bytes in headers).
 */
final class RawHttp {

  private RawHttp() {
  }

  /** One request; {@code headers} are whole header lines ({@code "Name: value"}), sent as Latin-1 bytes. */
  static Answer exchange(int port, String method, String target, List<String> headers) {
    StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.0\r\n")
        .append("Host: localhost\r\n");
    headers.forEach(header -> request.append(header).append("\r\n"));
    request.append("\r\n");
    try (Socket socket = new Socket("localhost", port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      return Answer.parse(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + target, e);
    }
  }

  /** Status, headers (names in lower case, first value of each) and body of an answer. */
  record Answer(int status, Map<String, String> headers, String body, String raw) {

    static Answer parse(String raw) {
      int end = raw.indexOf("\r\n\r\n");
      String head = end < 0 ? raw : raw.substring(0, end);
      List<String> lines = new ArrayList<>(List.of(head.split("\r\n")));
      int status = Integer.parseInt(lines.removeFirst().substring(9, 12));
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line : lines) {
        int colon = line.indexOf(':');
        headers.putIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
      }
      return new Answer(status, headers, end < 0 ? "" : raw.substring(end + 4), raw);
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }
}
