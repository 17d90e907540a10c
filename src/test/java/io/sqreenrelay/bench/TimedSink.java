package io.sqreenrelay.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * The HTTP stand-in of the end-to-end runs: answers 204 at once, notes when each event key (header
 * {@code X-Relay-Event-Key}, the HTTP target's) first arrived, and counts the requests per path (the other JSON
 * targets: {@code /pagerduty/...}, {@code /teams}).
 */
final class TimedSink implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.LongAdder> perPath = new ConcurrentHashMap<>();

    TimedSink() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String first = exchange.getRequestURI().getPath().split("/", 3)[1];
            perPath.computeIfAbsent(first, p -> new java.util.concurrent.atomic.LongAdder()).increment();
            String key = exchange.getRequestHeaders().getFirst("X-Relay-Event-Key");
            if (key != null) {
                arrivals.putIfAbsent(key, System.currentTimeMillis());
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
    }

    /** The sink's base URL (no path). */
    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests received whose path starts with {@code /first/} (or is {@code /first}). */
    long requests(String first) {
        java.util.concurrent.atomic.LongAdder count = perPath.get(first);
        return count == null ? 0 : count.sum();
    }

    /** Event key to first arrival (epoch ms). */
    Map<String, Long> arrivals() {
        return arrivals;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
