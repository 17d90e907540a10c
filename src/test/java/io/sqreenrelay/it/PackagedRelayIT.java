package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sqreenrelay.ingress.WebhookSignature;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The relay as ops run it: {@code java -jar target/sqreen-relay.jar} in its own JVM, configured by environment
 * variables. It starts and answers (start time measured), writes JSON logs that rotate by size, and a SIGTERM in the
 * middle of a burst loses nothing that was answered 200.
 */
class PackagedRelayIT {

    private static final String KEY = "jar-key-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void theJarStartsAnswersAndWritesJsonLogsThatRotateBySize() throws Exception {
        Path work = Files.createTempDirectory("relay-jar");
        Path logs = work.resolve("logs");
        int port = RelayUnderTest.freePort();
        Map<String, String> env = Map.of(
                "SIGNATURE_KEY", KEY,
                "DATA_DIR", work.resolve("data").toString(),
                "LOG_DIR", logs.toString(),
                "LOG_FORMAT", "json",
                "LOG_MAX_SIZE", "16KB");
        try (RelayProcess relay = RelayProcess.start(port, env, work.resolve("console.txt"))) {
            long readyMillis = relay.awaitReady(Duration.ofSeconds(90));
            System.out.println("jar start to ready (embedded broker): " + readyMillis + " ms");

            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                byte[] body = IngressContractTestBase.freshEvents(1);
                keys.addAll(IngressContractTestBase.keysIn(new String(body, StandardCharsets.UTF_8)));
                assertThat(post(relay, body).statusCode()).isEqualTo(200);
            }
            // the send script, as ops test a deployment: signed with the key, accepted; with another key, refused
            assertThat(sendScript(relay, KEY)).startsWith("0 POST ").contains("-> 200 {\"accepted\": 1");
            assertThat(sendScript(relay, "another-key")).startsWith("1 POST ").contains("-> 401");

            Path notifications = logs.resolve("notifications.log");
            await().atMost(Duration.ofSeconds(30)).until(() -> counts(notifications).keySet().containsAll(keys));

            relay.terminate();
            relay.awaitExit(Duration.ofSeconds(60));
        }

        // JSON: the application log is sqreen-relay.json (no text log), rolled over by size, every line a JSON object
        assertThat(logs.resolve("sqreen-relay.log")).doesNotExist();
        assertThat(logs.resolve("sqreen-relay.json")).exists();
        assertThat(logs.resolve("sqreen-relay.1.json.gz")).as("rolled over at 16 KB").exists();
        List<JsonNode> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("sqreen-relay.")).toList()) {
                for (String line : readLines(file)) {
                    lines.add(JSON.readTree(line));
                }
            }
        }
        assertThat(lines).isNotEmpty().allSatisfy(line -> {
            assertThat(line.isObject()).isTrue();
            assertThat(line.path("message").isTextual()).isTrue();
            assertThat(line.path("@timestamp").isTextual()).isTrue();
        });
        assertThat(lines).anySatisfy(line ->
                assertThat(line.path("message").asText()).startsWith("POST /v1/webhook 200 accepted events=1"));
        try (Stream<Path> files = Files.list(logs)) {
            for (Path file : files.toList()) {
                assertThat(String.join("\n", readLines(file))).as("the signature key in " + file).doesNotContain(KEY);
            }
        }
    }

    @Test
    void aSigtermDuringABurstLosesNothingThatWasAnswered200() throws Exception {
        Path work = Files.createTempDirectory("relay-sigterm");
        Path notifications = work.resolve("logs").resolve("notifications.log");
        try (TestBroker broker = TestBroker.rabbitMq()) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "SIGNATURE_KEY", KEY,
                    "RABBITMQ_URI", broker.uri(),
                    "DATA_DIR", work.resolve("data").toString(),
                    "LOG_DIR", work.resolve("logs").toString()));
            int port = RelayUnderTest.freePort();
            Set<String> accepted = ConcurrentHashMap.newKeySet();
            Map<String, Integer> answers = new ConcurrentHashMap<>();
            long shutdownMillis;
            try (RelayProcess relay = RelayProcess.start(port, env, work.resolve("console-1.txt"))) {
                relay.awaitReady(Duration.ofSeconds(90));
                AtomicBoolean stop = new AtomicBoolean();
                ExecutorService clients = Executors.newFixedThreadPool(8);
                for (int c = 0; c < 8; c++) {
                    clients.submit(() -> burst(relay, stop, accepted, answers));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 500);
                long sigterm = System.nanoTime();
                relay.terminate();
                relay.awaitExit(Duration.ofSeconds(60));
                shutdownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
                stop.set(true);
                clients.shutdown();
                assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
            System.out.println("SIGTERM during a burst: answers " + answers + ", " + accepted.size()
                    + " events answered 200, exit " + shutdownMillis + " ms after SIGTERM");
            assertThat(answers.keySet()).as("only 200, 503 or no connection").isSubsetOf("200", "503", "no connection");

            // a new relay on the same broker delivers whatever the first one had not
            try (RelayProcess relay = RelayProcess.start(port, env, work.resolve("console-2.txt"))) {
                relay.awaitReady(Duration.ofSeconds(90));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    Map<String, Long> counts = counts(notifications);
                    return accepted.stream().allMatch(counts::containsKey);
                });
                Map<String, Long> counts = counts(notifications);
                long duplicates = accepted.stream().mapToLong(key -> counts.get(key) - 1).sum();
                System.out.println("after the restart: " + accepted.size() + " of " + accepted.size()
                        + " accepted events delivered to the log target, " + duplicates + " delivered twice, 0 lost");
                relay.terminate();
                relay.awaitExit(Duration.ofSeconds(60));
            }
        }
    }

    /** Runs scripts/send-test-notification.sh against the relay; answers its exit code, a space, and its output. */
    private static String sendScript(RelayProcess relay, String key) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "scripts/send-test-notification.sh").redirectErrorStream(true);
        builder.environment().put("SIGNATURE_KEY", key);
        builder.environment().put("RELAY_URL", relay.uri("/v1/webhook").toString());
        Process script = builder.start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return script.exitValue() + " " + output;
    }

    /** A log file's lines, gunzipped when it was rolled over. */
    private static List<String> readLines(Path file) throws IOException {
        if (!file.toString().endsWith(".gz")) {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** Posts 5-event requests until told to stop; remembers the keys answered 200 and counts every answer. */
    private static void burst(RelayProcess relay, AtomicBoolean stop, Set<String> accepted, Map<String, Integer> answers) {
        while (!stop.get()) {
            try {
                byte[] body = IngressContractTestBase.freshEvents(5);
                HttpResponse<String> response = post(relay, body);
                answers.merge(String.valueOf(response.statusCode()), 1, Integer::sum);
                if (response.statusCode() == 200) {
                    accepted.addAll(IngressContractTestBase.keysIn(new String(body, StandardCharsets.UTF_8)));
                } else {
                    Thread.sleep(20);
                }
            } catch (IOException refused) {
                answers.merge("no connection", 1, Integer::sum);
                sleep();
            } catch (Exception e) {
                answers.merge("client error " + e.getClass().getSimpleName(), 1, Integer::sum);
                sleep();
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpResponse<String> post(RelayProcess relay, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(relay.uri("/v1/webhook"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Sqreen-Integrity", WebhookSignature.sign(KEY, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** How many times each event key was logged by the log target (its lines end with key=KEY). */
    private static Map<String, Long> counts(Path notifications) throws IOException {
        if (!Files.exists(notifications)) {
            return Map.of();
        }
        return Files.readAllLines(notifications, StandardCharsets.UTF_8).stream()
                .filter(line -> line.contains(" key="))
                .map(line -> line.substring(line.lastIndexOf(" key=") + 5).trim())
                .collect(Collectors.groupingBy(key -> key, Collectors.counting()));
    }
}
