package io.sqreenrelay.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 by hand, for what java.net.http will not send: a lying Content-Length, an endless chunked body. */
final class RawHttp {

    private RawHttp() {
    }

    /** Sends only the headers of a request announcing {@code length} bytes; returns the status line. */
    static String announceBody(int port, long length) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "X-Sqreen-Integrity: 00\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return statusLine(socket.getInputStream());
        }
    }

    /**
     * Streams a chunked body of {@code total} bytes, stopping when the server answers; returns its answer: status
     * line, headers and body (of its Content-Length), as text.
     */
    static String chunked(int port, long total) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "X-Sqreen-Integrity: 00\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            byte[] head = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                for (long sent = 0; sent < total; sent += chunk.length) {
                    out.write(head);
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (SocketException closedByServer) {
                // the server answered and closed while the body was still coming: read its answer
            }
            return response(socket.getInputStream());
        }
    }

    /** Sends these exact bytes as a request; returns the status line, or "" when the server closed without one. */
    static String exchange(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (SocketException closedByServer) {
                // answered (or refused) before the request was all sent: read what came back
            }
            try {
                return statusLine(socket.getInputStream());
            } catch (SocketException reset) {
                return "";
            }
        }
    }

    /**
     * A client that announces a body and then trickles it, a byte at a time: {@link #trickle} sends the next byte,
     * {@link #answer} reads what the server said (its status line, "" when it closed without one).
     */
    static final class SlowClient implements AutoCloseable {
        private final Socket socket;

        SlowClient(int port, int announcedLength) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST /v1/webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "X-Sqreen-Integrity: 00\r\nContent-Length: " + announcedLength + "\r\n\r\n[").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }

        /** Sends one more byte; false when the server has closed the connection. */
        boolean trickle() {
            try {
                socket.getOutputStream().write(' ');
                socket.getOutputStream().flush();
                return true;
            } catch (IOException closed) {
                return false;
            }
        }

        String answer() throws IOException {
            try {
                return statusLine(socket.getInputStream());
            } catch (SocketException reset) {
                return "";
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String response(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int length = 0;
        for (String line = statusLine(in); !line.isEmpty(); line = statusLine(in)) {
            head.append(line).append("\r\n");
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return head + "\r\n" + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().trim();
    }
}
