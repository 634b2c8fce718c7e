package dev.tally.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One HTTP/1.1 exchange over a plain socket, with the request sent byte for byte as given: for
 * tests of malformed requests that {@link java.net.http.HttpClient} refuses to send (bad percent
 * escapes, raw bytes in headers, repeated or empty headers, any method).
 */
public final class RawHttp {

  private RawHttp() {
  }

  /** A header as sent: name and value are written as ISO-8859-1 bytes, unchecked. */
  public record Header(String name, String value) {
  }

  /** The answer; header names are lower case. */
  public record Response(int status, List<Header> headers, byte[] body) {

    public Optional<String> header(String name) {
      return headers.stream().filter(h -> h.name().equals(name.toLowerCase(Locale.ROOT))).map(Header::value).findFirst();
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + text();
    }
  }

  /**
   * Sends {@code method target HTTP/1.1} to the server of {@code baseUrl}, with a Host header, the
   * given headers, a Content-Length when there is a body, and {@code Connection: close}.
   */
  public static Response send(String baseUrl, String method, String target, List<Header> headers, byte[] body) {
    URI base = URI.create(baseUrl);
    List<Header> all = new ArrayList<>();
    all.add(new Header("Host", base.getHost() + ":" + base.getPort()));
    all.addAll(headers);
    if (body.length > 0) {
      all.add(new Header("Content-Length", String.valueOf(body.length)));
    }
    all.add(new Header("Connection", "close"));
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes((method + " " + target + " HTTP/1.1\r\n").getBytes(StandardCharsets.ISO_8859_1));
    for (Header header : all) {
      request.writeBytes((header.name() + ": " + header.value() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }
    request.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    request.writeBytes(body);
    return exchange(base.getHost(), base.getPort(), request.toByteArray());
  }

  /** Writes the bytes, reads until the server closes the connection, and parses the response. */
  public static Response exchange(String host, int port, byte[] request) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = socket.getInputStream();
      return parse(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("exchange with " + host + ":" + port + " failed", e);
    }
  }

  private static Response parse(byte[] raw) {
    int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
    if (end < 0) {
      throw new IllegalStateException("no complete response head in: " + new String(raw, StandardCharsets.ISO_8859_1));
    }
    String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    List<Header> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(new Header(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim()));
    }
    byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
    boolean chunked = headers.stream()
        .anyMatch(h -> h.name().equals("transfer-encoding") && h.value().equalsIgnoreCase("chunked"));
    return new Response(status, headers, chunked ? dechunk(body) : body);
  }

  private static byte[] dechunk(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int position = 0;
    while (true) {
      int lineEnd = indexOf(body, "\r\n".getBytes(StandardCharsets.ISO_8859_1), position);
      String sizeLine = new String(body, position, lineEnd - position, StandardCharsets.ISO_8859_1);
      int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
      if (size == 0) {
        return out.toByteArray();
      }
      out.write(body, lineEnd + 2, size);
      position = lineEnd + 2 + size + 2;
    }
  }

  private static int indexOf(byte[] data, byte[] pattern, int from) {
    outer:
    for (int i = from; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
