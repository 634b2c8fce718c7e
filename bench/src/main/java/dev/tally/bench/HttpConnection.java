package dev.tally.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection over a blocking socket: just enough client for the load
 * generator (status line, Content-Length or chunked bodies, {@code Connection: close}), so that a
 * request costs the client a write and a read and nothing else. {@code ./tally chaos} drives its
 * load with it too.
 */
public final class HttpConnection implements AutoCloseable {

  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private final String host;
  private final int port;
  private final int readTimeoutMs;
  private final byte[] buffer = new byte[16 * 1024];
  private int position;
  private int limit;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  public HttpConnection(String host, int port) {
    this(host, port, READ_TIMEOUT);
  }

  /** A connection whose requests fail (and close it) when an answer takes longer than {@code readTimeout}. */
  public HttpConnection(String host, int port, Duration readTimeout) {
    this.host = host;
    this.port = port;
    this.readTimeoutMs = Math.toIntExact(readTimeout.toMillis());
  }

  /** The bytes of one request; {@code body} may be null. */
  public static byte[] request(String method, String path, String host, int port, Map<String, String> headers, String body) {
    StringBuilder text = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append(':').append(port).append("\r\n");
    headers.forEach((name, value) -> text.append(name).append(": ").append(value).append("\r\n"));
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      text.append("Content-Type: application/json\r\n");
    }
    if (body != null || !method.equals("GET")) {
      text.append("Content-Length: ").append(content.length).append("\r\n");
    }
    text.append("\r\n");
    byte[] head = text.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + content.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(content, 0, all, head.length, content.length);
    return all;
  }

  /** Sends a request and reads its whole response; on any I/O failure the connection is closed and reopened next time. */
  public Response exchange(byte[] request) throws IOException {
    if (socket == null) {
      connect();
    }
    try {
      out.write(request);
      out.flush();
      return readResponse();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void connect() throws IOException {
    Socket opened = new Socket();
    opened.setTcpNoDelay(true);
    opened.setSoTimeout(readTimeoutMs);
    opened.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
    socket = opened;
    out = opened.getOutputStream();
    in = opened.getInputStream();
    position = 0;
    limit = 0;
  }

  private Response readResponse() throws IOException {
    String statusLine = readLine();
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
      throw new IOException("not an HTTP response: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean closeAfter = false;
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        chunked = value.toLowerCase().contains("chunked");
      } else if (name.equalsIgnoreCase("Connection")) {
        closeAfter = value.equalsIgnoreCase("close");
      }
    }
    String body;
    if (status == 204 || status == 304) {
      body = "";
    } else if (chunked) {
      body = readChunked();
    } else if (length >= 0) {
      body = new String(readBytes((int) length), StandardCharsets.UTF_8);
    } else {
      body = new String(readToEnd(), StandardCharsets.UTF_8);
      closeAfter = true;
    }
    if (closeAfter) {
      close();
    }
    return new Response(status, body);
  }

  private String readChunked() throws IOException {
    StringBuilder body = new StringBuilder();
    while (true) {
      String sizeLine = readLine();
      int semicolon = sizeLine.indexOf(';');
      int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        while (!readLine().isEmpty()) {
          // trailers
        }
        return body.toString();
      }
      body.append(new String(readBytes(size), StandardCharsets.UTF_8));
      readLine();
    }
  }

  private boolean fill() throws IOException {
    if (position < limit) {
      return true;
    }
    int read = in.read(buffer, 0, buffer.length);
    if (read < 0) {
      return false;
    }
    position = 0;
    limit = read;
    return true;
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder(64);
    while (true) {
      if (!fill()) {
        throw new IOException("connection closed by the server");
      }
      byte b = buffer[position++];
      if (b == '\n') {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
          line.setLength(end - 1);
        }
        return line.toString();
      }
      line.append((char) (b & 0xFF));
    }
  }

  private byte[] readBytes(int count) throws IOException {
    byte[] bytes = new byte[count];
    int done = 0;
    while (done < count) {
      if (!fill()) {
        throw new IOException("connection closed in the middle of a body");
      }
      int n = Math.min(count - done, limit - position);
      System.arraycopy(buffer, position, bytes, done, n);
      position += n;
      done += n;
    }
    return bytes;
  }

  private byte[] readToEnd() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (fill()) {
      all.write(buffer, position, limit - position);
      position = limit;
    }
    return all.toByteArray();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      socket = null;
    }
  }

  /** A status and a body. */
  public record Response(int status, String body) {
  }
}
