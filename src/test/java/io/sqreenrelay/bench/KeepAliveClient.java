package io.sqreenrelay.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 keep-alive connection, blocking, for the load generator: far cheaper per request than
 * java.net.http, so that on a 2-core machine the client takes as little CPU from the server as it can. Reads
 * the status and skips the body, sized by {@code Content-Length} or chunked.
 */
final class KeepAliveClient implements AutoCloseable {

    private final int port;
    private final String path;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    KeepAliveClient(int port, String path) {
        this.port = port;
        this.path = path;
    }

    /** POSTs a JSON body with its signature header; returns the status (the connection is reopened if needed). */
    int post(byte[] body, String signature) throws IOException {
        if (socket == null) {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 8192);
        }
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "X-Sqreen-Integrity: " + signature + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try {
            out.write(head);
            out.write(body);
            out.flush();
            return readResponse();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private int readResponse() throws IOException {
        String status = line();
        if (status == null || status.length() < 12) {
            throw new IOException("no answer");
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = 0;
        boolean chunked = false;
        boolean close = false;
        for (String header = line(); header != null && !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            String name = header.substring(0, Math.max(colon, 0)).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(header.substring(colon + 1).trim());
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && header.toLowerCase().contains("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection") && header.toLowerCase().contains("close")) {
                close = true;
            }
        }
        if (chunked) {
            for (long size = chunkSize(); size > 0; size = chunkSize()) {
                skip(size);
                line();                            // the CRLF after the chunk
            }
            for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                // no trailers expected; read up to the blank line
            }
        } else {
            skip(length);
        }
        if (close) {
            close();
        }
        return code;
    }

    private long chunkSize() throws IOException {
        String size = line();
        if (size == null) {
            throw new IOException("chunked body cut short");
        }
        int semicolon = size.indexOf(';');
        return Long.parseLong((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
    }

    private void skip(long bytes) throws IOException {
        for (long skipped = 0; skipped < bytes; skipped++) {
            if (in.read() < 0) {
                throw new IOException("body cut short");
            }
        }
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                return line.length() == 0 ? null : line.toString();
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
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
}
