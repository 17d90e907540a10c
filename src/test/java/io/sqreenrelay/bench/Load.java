package io.sqreenrelay.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/**
 * The benchmark's load generator on its own, against a relay (or any receiver) already running: for profiling and
 * A/B runs by hand. {@code java -cp ... io.sqreenrelay.bench.Load PORT [CLIENTS [EVENTS [SECONDS [PATH [KEY]]]]]};
 * defaults 32 clients, 10-event requests, 20 s, {@code /v1/webhook}, key {@code bench-key}. Prints one line.
 */
public final class Load {

    private Load() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int events = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        String path = args.length > 4 ? args[4] : "/v1/webhook";
        String key = args.length > 5 ? args[5] : "bench-key";
        LoadGenerator.Result r = LoadGenerator.run("load", port, path, key, UUID.randomUUID().toString(), clients, events,
                Duration.ofSeconds(seconds), null);
        System.out.println(String.format(Locale.ROOT, "%,.0f req/s, %,.0f events/s, p50 %.1f ms, p99 %.1f ms, errors %d %s",
                r.requestsPerSecond(), r.eventsPerSecond(), r.latencies().percentile(50) / 1000.0,
                r.latencies().percentile(99) / 1000.0, r.errors(), r.answers()));
    }
}
