package io.sqreenrelay.it;

import io.sqreenrelay.ingress.WebhookSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Clients posting signed requests of fresh events to a relay until stopped, as Sqreen does during an attack. Keeps
 * the keys of every event answered 200 (what the relay promised to deliver) and counts every answer: by status,
 * "503 without Retry-After" apart, and "no connection" when the relay was not there to answer.
 */
public final class Burst implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final URI webhook;
    private final String key;
    private final int eventsPerRequest;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService clients;
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    /** For each request answered 200: when it was sent ({@code System.nanoTime()}). */
    private final Queue<Long> acceptedSentAt = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();

    private Burst(URI webhook, String key, int clients, int eventsPerRequest) {
        this.webhook = webhook;
        this.key = key;
        this.eventsPerRequest = eventsPerRequest;
        this.clients = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            this.clients.submit(this::postUntilStopped);
        }
    }

    public static Burst start(URI webhook, String key, int clients, int eventsPerRequest) {
        return new Burst(webhook, key, clients, eventsPerRequest);
    }

    /** The keys of the events answered 200 so far. */
    public Set<String> accepted() {
        return Set.copyOf(accepted);
    }

    public int acceptedCount() {
        return accepted.size();
    }

    /**
     * How many requests sent at or after {@code nanoTime} ({@code System.nanoTime()}) were answered 200 so far. A
     * request sent before a moment can be answered 200 after it, rightly: count what was asked after the moment.
     */
    public long requestsAcceptedSentSince(long nanoTime) {
        return acceptedSentAt.stream().filter(sentAt -> sentAt - nanoTime >= 0).count();
    }

    /** How many answers of each kind, so far. */
    public Map<String, Integer> answers() {
        return new TreeMap<>(answers);
    }

    public int answered(String kind) {
        return answers.getOrDefault(kind, 0);
    }

    /** Stops the clients and waits for their last requests to end. */
    public void stop() throws InterruptedException {
        stop.set(true);
        clients.shutdown();
        if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the burst's clients did not stop");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (!clients.isShutdown()) {
            stop();
        }
    }

    private void postUntilStopped() {
        while (!stop.get()) {
            byte[] body = IngressContractTestBase.freshEvents(eventsPerRequest);
            long sentAt = System.nanoTime();
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(webhook)
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .header("X-Sqreen-Integrity", WebhookSignature.sign(key, body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200) {
                    accepted.addAll(IngressContractTestBase.keysIn(new String(body, StandardCharsets.UTF_8)));
                    acceptedSentAt.add(sentAt);
                }
                boolean retryAfter = response.headers().firstValue("Retry-After").isPresent();
                count(status == 503 && !retryAfter ? "503 without Retry-After" : String.valueOf(status));
                if (status != 200) {
                    pause();
                }
            } catch (IOException refused) {
                count("no connection");
                pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                count("client error " + e.getClass().getSimpleName());
                pause();
            }
        }
    }

    private void count(String kind) {
        answers.merge(kind, 1, Integer::sum);
    }

    /** As Sqreen backs off: a failed request is tried again a little later, not at once. */
    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
