package io.sqreenrelay.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/** The HTTP target of the end-to-end run: answers 204 at once, and notes when each event key first arrived. */
final class TimedSink implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();

    TimedSink() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
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

    /** Event key to first arrival (epoch ms). */
    Map<String, Long> arrivals() {
        return arrivals;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
