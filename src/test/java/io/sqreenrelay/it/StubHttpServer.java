package io.sqreenrelay.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on loopback standing in for a target (the HTTP endpoint, Slack, Twilio). It records every
 * request, and answers from a script: requests whose body contains a marker get the scripted answers in order
 * (503, 503, then 200...), and, once those are used up, the default answer.
 * {@code rawTarget} is the request target exactly as sent (path and query, percent-encoding kept).
 */
public final class StubHttpServer implements AutoCloseable {

    /** A request received, and the answer it was given ({@code answer.delayMillis()} before it, if any). */
    public record Request(String method, String path, Map<String, List<String>> headers, String body, long at,
                          Answer answer, String rawTarget) {
        /** Answered 2xx at once: what a client with a time-out shorter than any delay saw succeed. */
        public boolean succeeded() {
            return answer.status() / 100 == 2 && answer.delayMillis() == 0;
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** An answer: status, headers, body, and how long to wait before giving it. */
    public record Answer(int status, Map<String, String> headers, String body, long delayMillis) {
        public static Answer status(int status) {
            return new Answer(status, Map.of(), "", 0);
        }

        public Answer withHeader(String name, String value) {
            Map<String, String> more = new java.util.HashMap<>(headers);
            more.put(name, value);
            return new Answer(status, more, body, delayMillis);
        }

        public Answer withBody(String text) {
            return new Answer(status, headers, text, delayMillis);
        }

        public Answer after(long millis) {
            return new Answer(status, headers, body, millis);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
    private volatile Answer defaultAnswer;

    public StubHttpServer(int defaultStatus) throws IOException {
        this.defaultAnswer = Answer.status(defaultStatus);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Requests whose body contains {@code marker} get these answers first, in order. */
    public void script(String marker, Answer... answers) {
        scripts.put(marker, new ArrayDeque<>(List.of(answers)));
    }

    public void answerByDefault(Answer answer) {
        this.defaultAnswer = answer;
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** The requests whose body contains {@code marker}. */
    public List<Request> requestsWith(String marker) {
        return requests.stream().filter(r -> r.body().contains(marker)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        long at = System.currentTimeMillis();
        Answer answer = defaultAnswer;
        for (Map.Entry<String, Deque<Answer>> script : scripts.entrySet()) {
            if (body.contains(script.getKey())) {
                synchronized (script.getValue()) {
                    if (!script.getValue().isEmpty()) {
                        answer = script.getValue().poll();
                    }
                }
                break;
            }
        }
        URI target = exchange.getRequestURI();
        requests.add(new Request(exchange.getRequestMethod(), target.getPath(),
                Map.copyOf(exchange.getRequestHeaders()), body, at, answer,
                target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery())));
        try {
            if (answer.delayMillis() > 0) {
                Thread.sleep(answer.delayMillis());
            }
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up waiting (a time-out test): nothing to answer
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
