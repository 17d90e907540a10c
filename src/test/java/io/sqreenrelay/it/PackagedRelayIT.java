package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
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
            await().atMost(Duration.ofSeconds(30)).until(() -> Tally.loggedKeys(notifications).containsAll(keys));

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
            Set<String> accepted;
            Map<String, Integer> answers;
            long shutdownMillis;
            try (RelayProcess relay = RelayProcess.start(port, env, work.resolve("console-1.txt"))) {
                relay.awaitReady(Duration.ofSeconds(90));
                Burst burst = Burst.start(relay.uri("/v1/webhook"), KEY, 8, 5);
                await().atMost(Duration.ofSeconds(30)).until(() -> burst.acceptedCount() >= 500);
                long sigterm = System.nanoTime();
                relay.terminate();
                relay.awaitExit(Duration.ofSeconds(60));
                shutdownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
                burst.stop();
                accepted = burst.accepted();
                answers = burst.answers();
            }
            System.out.println("SIGTERM during a burst: answers " + answers + ", " + accepted.size()
                    + " events answered 200, exit " + shutdownMillis + " ms after SIGTERM");
            assertThat(answers.keySet()).as("only 200, 503 or no connection").isSubsetOf("200", "503", "no connection");

            // a new relay on the same broker delivers whatever the first one had not
            try (RelayProcess relay = RelayProcess.start(port, env, work.resolve("console-2.txt"))) {
                relay.awaitReady(Duration.ofSeconds(90));
                Tally log = Tally.awaitNoneLost(Duration.ofSeconds(60),
                        () -> List.of(Tally.of("log", accepted, Tally.loggedKeys(notifications)))).get(0);
                System.out.println("after the restart: " + log);
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

    private static HttpResponse<String> post(RelayProcess relay, byte[] body) throws Exception {
        return relay.postSigned(KEY, body);
    }
}
