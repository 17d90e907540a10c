package io.sqreenrelay.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Closed-loop load: {@code concurrency} clients, each on its own keep-alive connection, post signed requests of
 * {@code events} new events back to back for a given time. Counts answers by status; latency is from the first
 * byte sent to the status read.
 */
final class LoadGenerator {

    /** Called for each request answered 200: the number of its first event, how many, and when (epoch ms). */
    interface Accepted {
        void accepted(long firstId, int events, long atMillis);
    }

    /** One cell of the table. */
    record Result(String label, int concurrency, int events, long requests, long errors, double seconds,
                  Latencies latencies, Map<String, Long> answers) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        double eventsPerSecond() {
            return requests * (double) events / seconds;
        }
    }

    private LoadGenerator() {
    }

    static Result run(String label, int port, String path, String secret, String run, int concurrency, int events,
                      Duration duration, Accepted onAccepted) throws InterruptedException {
        return run(label, port, path, secret, run, concurrency, events, duration, 0, onAccepted);
    }

    /**
     * {@code requestsPerSecond} above 0 paces the clients: each request has a scheduled time, and its latency counts
     * from that time, not from when it was sent, so a slow answer that delays the next requests counts for them too
     * (no coordinated omission).
     */
    static Result run(String label, int port, String path, String secret, String run, int concurrency, int events,
                      Duration duration, double requestsPerSecond, Accepted onAccepted) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        long intervalNanos = requestsPerSecond > 0 ? (long) (1e9 * concurrency / requestsPerSecond) : 0;
        Map<String, Long> answers = new ConcurrentHashMap<>();
        List<Latencies> perClient = new ArrayList<>();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < concurrency; c++) {
            int clientIndex = c;
            Latencies latencies = new Latencies();
            perClient.add(latencies);
            Thread client = new Thread(() -> {
                SignedEvents bodies = new SignedEvents(run, secret);
                long[] firstId = new long[1];
                // paced clients start staggered over one interval
                long scheduled = System.nanoTime() + intervalNanos * clientIndex / concurrency;
                try (KeepAliveClient http = new KeepAliveClient(port, path)) {
                    while (System.nanoTime() < deadline) {
                        byte[] body = bodies.body(events, firstId);
                        String signature = bodies.sign(body);
                        long sent;
                        if (intervalNanos > 0) {
                            LockSupport.parkNanos(scheduled - System.nanoTime());
                            sent = scheduled;
                            scheduled += intervalNanos;
                        } else {
                            sent = System.nanoTime();
                        }
                        String answer;
                        try {
                            int status = http.post(body, signature);
                            answer = String.valueOf(status);
                            if (status == 200) {
                                latencies.add((System.nanoTime() - sent) / 1000);
                                ok.incrementAndGet();
                                if (onAccepted != null) {
                                    onAccepted.accepted(firstId[0], events, System.currentTimeMillis());
                                }
                            } else {
                                errors.incrementAndGet();
                            }
                        } catch (Exception e) {
                            answer = e.getClass().getSimpleName();
                            errors.incrementAndGet();
                        }
                        answers.merge(answer, 1L, Long::sum);
                    }
                }
            }, "load-" + c);
            clients.add(client);
            client.start();
        }
        for (Thread client : clients) {
            client.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Latencies all = new Latencies();
        perClient.forEach(all::addAll);
        return new Result(label, concurrency, events, ok.get(), errors.get(), seconds, all.sort(), new TreeMap<>(answers));
    }
}
