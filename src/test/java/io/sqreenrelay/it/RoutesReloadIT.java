package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Routes hot reload (on under mvn camel:run): a YAML file added or edited in the routes directory takes effect
 * without a restart; a broken file is refused with a log line naming it, and the routes that ran keep running.
 */
class RoutesReloadIT {

    private static final String KEY = "reload-key-" + UUID.randomUUID();

    @Test
    void addedAndEditedRoutesTakeEffectAndABrokenFileIsRefusedWhileTheOldRoutesKeepServing() throws Exception {
        Path routes = Files.createTempDirectory("relay-routes");
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        try (TestBroker broker = TestBroker.embedded();
             RelayUnderTest relay = RelayUnderTest.start(broker, Files.createTempDirectory("relay-reload"), Map.of(
                     "relay.signature-key", KEY,
                     "relay.routes-dir", routes.toString(),
                     "camel.main.routes-reload-enabled", "true"))) {
            // added
            Files.writeString(routes.resolve("hello.yaml"), hello("first"));
            await().atMost(Duration.ofSeconds(30)).until(() -> "first".equals(relay.get("/hello").body()));

            // broken: refused, named in the log; the webhook and the added route still answer
            Files.writeString(routes.resolve("hello.yaml"), "- route:\n    id: hello\n    from:\n      uri: [not\n");
            // (the file's name is also in the summary of a good reload: wait for the refusal line itself)
            await().atMost(Duration.ofSeconds(30)).until(() -> appLog().lines().anyMatch(line ->
                    line.contains("Error reloading routes from file") && line.contains(routes.resolve("hello.yaml").toString())));
            Thread.sleep(1000);
            assertThat(relay.get("/hello").body()).isEqualTo("first");
            assertThat(relay.postSigned(KEY, IngressContractTestBase.freshEvents(1)).statusCode()).isEqualTo(200);

            // mended and edited
            Files.writeString(routes.resolve("hello.yaml"), hello("second"));
            await().atMost(Duration.ofSeconds(30)).until(() -> "second".equals(relay.get("/hello").body()));
            byte[] body = IngressContractTestBase.freshEvents(1);
            assertThat(relay.postSigned(KEY, body).statusCode()).isEqualTo(200);
            for (String key : IngressContractTestBase.keysIn(new String(body, StandardCharsets.UTF_8))) {
                assertThat(NotificationLog.awaitLogged(key)).hasSize(1);
            }
        }
    }

    private static String hello(String answer) {
        return "- route:\n    id: hello\n    from:\n      uri: platform-http:/hello\n      steps:\n"
                + "        - setBody:\n            constant: " + answer + "\n";
    }

    /** The application log of this test JVM (LOG_DIR is set by the pom). */
    private static String appLog() throws Exception {
        Path log = NotificationLog.file().resolveSibling("sqreen-relay.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
