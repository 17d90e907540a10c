package io.sqreenrelay.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real SMTP server on loopback (RFC 5321, the commands a mail client sends) that can refuse what GreenMail cannot:
 * the greeting of the first connections ({@code 421}), or chosen recipients at {@code RCPT TO} (a 5xx or 4xx reply
 * of the test's choosing). It records every mail it accepted, and every {@code RCPT TO} it was asked.
 */
final class StubSmtpServer implements AutoCloseable {

    /** A mail accepted: the envelope's sender and recipients, and the data (headers and body). */
    record Mail(String from, List<String> to, String data) {
    }

    private final ServerSocket socket;
    private final List<Mail> mails = new CopyOnWriteArrayList<>();
    private final List<String> recipientsAsked = new CopyOnWriteArrayList<>();
    private final Map<String, String> refusedRecipients = new ConcurrentHashMap<>();
    private final AtomicInteger greetingsToRefuse = new AtomicInteger();
    private final AtomicInteger greetingsRefused = new AtomicInteger();
    private volatile boolean running = true;

    StubSmtpServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "stub-smtp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** The next {@code count} connections are greeted with 421 and closed. */
    void refuseGreetings(int count) {
        greetingsToRefuse.set(count);
    }

    int greetingsRefused() {
        return greetingsRefused.get();
    }

    /** {@code RCPT TO:<address>} is answered {@code reply} (such as {@code 550 5.1.1 User unknown}). */
    void refuseRecipient(String address, String reply) {
        refusedRecipients.put(address.toLowerCase(Locale.ROOT), reply);
    }

    void acceptRecipient(String address) {
        refusedRecipients.remove(address.toLowerCase(Locale.ROOT));
    }

    List<Mail> mails() {
        return new ArrayList<>(mails);
    }

    /** The mails whose data contains {@code marker}. */
    List<Mail> mailsWith(String marker) {
        return mails.stream().filter(m -> m.data().contains(marker)).toList();
    }

    /** The addresses asked for at {@code RCPT TO}, accepted or not, in order. */
    List<String> recipientsAsked() {
        return new ArrayList<>(recipientsAsked);
    }

    private void accept() {
        while (running) {
            try {
                Socket client = socket.accept();
                Thread session = new Thread(() -> serve(client), "stub-smtp-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException e) {
                return;   // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = client.getOutputStream();
            if (greetingsToRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                greetingsRefused.incrementAndGet();
                reply(out, "421 4.3.2 service not available, try again later");
                return;
            }
            reply(out, "220 stub-smtp ESMTP");
            String from = null;
            List<String> to = new ArrayList<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String command = line.length() < 4 ? line.toUpperCase(Locale.ROOT) : line.substring(0, 4).toUpperCase(Locale.ROOT);
                switch (command) {
                    case "EHLO", "HELO" -> reply(out, "250 stub-smtp");
                    case "MAIL" -> {
                        from = address(line);
                        to.clear();
                        reply(out, "250 2.1.0 ok");
                    }
                    case "RCPT" -> {
                        String address = address(line);
                        recipientsAsked.add(address);
                        String refusal = refusedRecipients.get(address.toLowerCase(Locale.ROOT));
                        if (refusal != null) {
                            reply(out, refusal);
                        } else {
                            to.add(address);
                            reply(out, "250 2.1.5 ok");
                        }
                    }
                    case "DATA" -> {
                        if (to.isEmpty()) {
                            reply(out, "554 5.5.1 no valid recipients");
                            continue;
                        }
                        reply(out, "354 end with <CRLF>.<CRLF>");
                        StringBuilder data = new StringBuilder();
                        for (String dataLine = in.readLine(); dataLine != null && !dataLine.equals("."); dataLine = in.readLine()) {
                            data.append(dataLine.startsWith("..") ? dataLine.substring(1) : dataLine).append('\n');
                        }
                        mails.add(new Mail(from, List.copyOf(to), data.toString()));
                        to.clear();
                        reply(out, "250 2.0.0 queued");
                    }
                    case "RSET" -> {
                        from = null;
                        to.clear();
                        reply(out, "250 2.0.0 ok");
                    }
                    case "NOOP" -> reply(out, "250 2.0.0 ok");
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 bye");
                        return;
                    }
                    default -> reply(out, "502 5.5.2 command not implemented");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** The address between the angle brackets of {@code MAIL FROM:<a>} or {@code RCPT TO:<a>}, exactly as sent. */
    private static String address(String line) {
        int open = line.indexOf('<');
        int close = line.lastIndexOf('>');
        return open >= 0 && close > open ? line.substring(open + 1, close) : line.substring(line.indexOf(':') + 1).trim();
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        running = false;
        socket.close();
    }
}
