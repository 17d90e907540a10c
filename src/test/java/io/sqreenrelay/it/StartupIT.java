package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 12, faults 9 and 12, on the packaged relay: a fatal start-up error ends the process with a non-zero exit and
 * one line naming the cause, never a half-started relay that looks alive; and the ready line comes once every route
 * runs, none of them restarting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartupIT {

    private static final Duration EXIT = Duration.ofSeconds(90);
    private TestBroker.RabbitVhost broker;
    private Path work;

    @BeforeAll
    void broker() throws Exception {
        broker = TestBroker.rabbitMq();
        work = Files.createTempDirectory("relay-startup");
    }

    @AfterAll
    void close() throws Exception {
        broker.close();
    }

    @Test
    void anHttpPortHeldByAnotherProcessEndsTheStartNamingHttpPort() throws Exception {
        int port = RelayUnderTest.freePort();
        try (ServerSocket other = listenOn(port)) {
            String line = failedStart("port", Map.of(), port, 1);
            assertThat(line).startsWith("sqreen-relay cannot start: HTTP_PORT=" + port + ": ").contains("in use");
        }
    }

    @Test
    void aManagementPortHeldByAnotherProcessEndsTheStartNamingManagementPort() throws Exception {
        int management = RelayUnderTest.freePort();
        try (ServerSocket other = listenOn(management)) {
            String line = failedStart("management", Map.of("MANAGEMENT_PORT", String.valueOf(management)),
                    RelayUnderTest.freePort(), 1);
            assertThat(line).startsWith("sqreen-relay cannot start: MANAGEMENT_PORT=" + management + ": ");
        }
    }

    @Test
    void theManagementPortOnTheWebhookPortIsRefused() throws Exception {
        int port = RelayUnderTest.freePort();
        String line = failedStart("same-port", Map.of("MANAGEMENT_PORT", String.valueOf(port)), port, 2);
        assertThat(line).startsWith("sqreen-relay cannot start: MANAGEMENT_PORT must differ from HTTP_PORT");
    }

    @Test
    void aRouteThatCannotBeCreatedEndsTheStartNamingIt() throws Exception {
        Path routes = routesWith("broken", """
                - route:
                    id: broken-route
                    from:
                      uri: direct:broken
                      steps:
                        - to: "nosuch:thing"
                """);
        String line = failedStart("broken", Map.of("ROUTES_DIR", routes.toString()), RelayUnderTest.freePort(), 1);
        assertThat(line).startsWith("sqreen-relay cannot start: route broken-route (" + routes.resolve("extra-broken.yaml")
                + "): ").contains("nosuch://thing");
    }

    @Test
    void aRouteThatCannotStartEndsTheStartNamingIt() throws Exception {
        // created, but its consumer cannot start: the log target's endpoint already has its consumer
        Path routes = routesWith("second-consumer", """
                - route:
                    id: second-log-consumer
                    from:
                      uri: direct:send-log
                      steps:
                        - log: "never"
                """);
        String line = failedStart("second-consumer", Map.of("ROUTES_DIR", routes.toString()), RelayUnderTest.freePort(), 1);
        assertThat(line).startsWith("sqreen-relay cannot start: route ").contains("Multiple consumers for the same endpoint");
    }

    @Test
    void aSettingFoundWrongLateEndsTheStartNamingIt() throws Exception {
        Path empty = Files.createDirectories(work.resolve("no-routes-" + System.nanoTime()));
        String line = failedStart("late", Map.of("ROUTES_DIR", empty.toString()), RelayUnderTest.freePort(), 2);
        assertThat(line).startsWith("sqreen-relay cannot start: ROUTES_DIR: no webhook route found in " + empty);
    }

    @Test
    void aPasswordTheBrokerRefusesEndsTheStartNamingRabbitmqUri() throws Exception {
        String line = failedStart("refused", Map.of("RABBITMQ_URI", broker.uri().replace("guest:guest@", "guest:wrong-s3cret@")),
                RelayUnderTest.freePort(), 2);
        assertThat(line).startsWith("sqreen-relay cannot start: RABBITMQ_URI: the broker refused the user or password")
                .doesNotContain("wrong-s3cret");
    }

    @Test
    void aSettingWithAPlaceholderInItIsRefusedByNameNeverExpandedNorQuoted() throws Exception {
        String line = failedStart("braces", Map.of("HTTP_TARGET_URL", "http://user:PASSW0RD@127.0.0.1:1/x}}"),
                RelayUnderTest.freePort(), 2);
        assertThat(line).startsWith("sqreen-relay cannot start: HTTP_TARGET_URL must not contain {{ or }}")
                .doesNotContain("PASSW0RD");
    }

    @Test
    void everyRouteRunsWhenTheReadyLineComesAndNoneRestarts() throws Exception {
        // every target off but the log: their routes are neither started nor shown restarting
        Path console = work.resolve("ready-console.txt");
        try (RelayProcess relay = RelayProcess.start(RelayUnderTest.freePort(), env("ready"), console)) {
            relay.awaitReady(EXIT);
            awaitLine(relay, "sqreen-relay ready: ");
            String log = relay.console();
            assertThat(log).doesNotContain("Restarting", "could not start", "cannot start");
            assertThat(log).contains("Routes startup (total:").doesNotContain("restarting:1", "restarting:2");
            String ready = log.lines().filter(l -> l.contains("sqreen-relay ready: ")).findFirst().orElseThrow();
            assertThat(log.substring(0, log.indexOf(ready))).contains("Started deliver-log", "Started webhook-ingress",
                    "Started send-sms", "Started send-http", "Started twilio-messages-api", "Started send-admin-sms");
            relay.terminate();
            relay.awaitExit(EXIT);
        }
    }

    @Test
    void withTheBrokerAwayTheReadyLineWaits() throws Exception {
        Map<String, String> env = env("no-broker");
        env.put("RABBITMQ_URI", "amqp://guest:guest@127.0.0.1:" + RelayUnderTest.freePort() + "/");
        Path console = work.resolve("no-broker-console.txt");
        try (RelayProcess relay = RelayProcess.start(RelayUnderTest.freePort(), env, console)) {
            awaitLine(relay, "sqreen-relay is not ready yet: the routes [deliver-log] wait for the broker");
            assertThat(relay.observe("/observe/health/ready").statusCode()).isEqualTo(503);
            assertThat(relay.console()).doesNotContain("sqreen-relay ready: ");
        }
    }

    @Test
    void aSecondRelayOnTheSameDataDirEndsItsStartNamingDataDir() throws Exception {
        // two replicas sharing a volume by mistake: the second stops before it opens any store in it
        Map<String, String> first = env("shared-dir");
        Path console = work.resolve("shared-dir-first-console.txt");
        try (RelayProcess running = RelayProcess.start(RelayUnderTest.freePort(), first, console)) {
            running.awaitReady(EXIT);
            String line = failedStart("shared-dir-second", Map.of("DATA_DIR", first.get("DATA_DIR")),
                    RelayUnderTest.freePort(), 1);
            assertThat(line).startsWith("sqreen-relay cannot start: DATA_DIR=" + first.get("DATA_DIR") + ": ")
                    .contains("another sqreen-relay uses this directory");
            assertThat(running.observe("/observe/health/ready").statusCode()).isEqualTo(200);
            running.terminate();
            running.awaitExit(EXIT);
        }
        // once the first has stopped, the directory is free again
        try (RelayProcess again = RelayProcess.start(RelayUnderTest.freePort(), first,
                work.resolve("shared-dir-again-console.txt"))) {
            again.awaitReady(EXIT);
            again.terminate();
            again.awaitExit(EXIT);
        }
    }

    @Test
    void withNoSignatureKeyOnTheEmbeddedBrokerTheSampleRequestIsShownOnceAndAccepted() throws Exception {
        // the newcomer's first start: no key, no broker; the embedded broker starts while the routes load
        Map<String, String> env = env("no-key");
        env.remove("SIGNATURE_KEY");
        env.remove("RABBITMQ_URI");
        Path console = work.resolve("no-key-console.txt");
        try (RelayProcess relay = RelayProcess.start(RelayUnderTest.freePort(), env, console)) {
            relay.awaitReady(EXIT);
            awaitLine(relay, "sqreen-relay ready: ");
            String log = relay.console();
            assertThat(log.lines().filter(l -> l.contains("No SIGNATURE_KEY set")).count()).as(log).isEqualTo(1);
            assertThat(log).doesNotContain("Socket closed", "ERROR");
            java.util.regex.Matcher key = java.util.regex.Pattern
                    .compile("generated a key for this run only: ([0-9a-f]{64})").matcher(log);
            java.util.regex.Matcher sample = java.util.regex.Pattern
                    .compile("-H 'X-Sqreen-Integrity: ([0-9a-f]{64})' --data-binary '(.*)'").matcher(log);
            assertThat(key.find()).as(log).isTrue();
            assertThat(sample.find()).as(log).isTrue();
            byte[] body = sample.group(2).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(sample.group(1)).isEqualTo(io.sqreenrelay.ingress.WebhookSignature.sign(key.group(1), body));
            java.net.http.HttpResponse<String> answer = relay.postSigned(key.group(1), body);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(answer.body()).contains("\"accepted\": 1");
            relay.terminate();
            relay.awaitExit(EXIT);
        }
    }

    // ---- helpers

    /** Starts the jar, expects it to exit with {@code code}; returns its last console line, checked to be the only one. */
    private String failedStart(String name, Map<String, String> more, int port, int code) throws Exception {
        Map<String, String> env = env(name);
        env.putAll(more);
        Path console = work.resolve(name + "-console.txt");
        try (RelayProcess relay = RelayProcess.start(port, env, console)) {
            assertThat(relay.awaitExit(EXIT)).as(relay.console()).isEqualTo(code);
            String log = relay.console();
            assertThat(log).doesNotContain("sqreen-relay ready");
            List<String> lines = log.lines().filter(l -> l.startsWith("sqreen-relay cannot start: ")).toList();
            assertThat(lines).as(log).hasSize(1);
            assertThat(log.strip()).endsWith(lines.get(0));
            return lines.get(0);
        }
    }

    private Map<String, String> env(String name) {
        Map<String, String> env = new HashMap<>();
        env.put("SIGNATURE_KEY", "startup-key");
        env.put("RABBITMQ_URI", broker.uri());
        env.put("DATA_DIR", work.resolve(name + "-data").toString());
        env.put("LOG_DIR", work.resolve(name + "-logs").toString());
        return env;
    }

    /** The project's routes and one more file. */
    private Path routesWith(String name, String yaml) throws Exception {
        Path dir = Files.createDirectories(work.resolve("routes-" + name));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        Files.writeString(dir.resolve("extra-" + name + ".yaml"), yaml);
        return dir;
    }

    private static ServerSocket listenOn(int port) throws Exception {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(port));
        return socket;
    }

    private static void awaitLine(RelayProcess relay, String text) {
        org.awaitility.Awaitility.await().atMost(EXIT).until(() -> relay.console().contains(text));
    }
}
