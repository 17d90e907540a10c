package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a 200 promises: the events are in the broker, not in the relay's memory. Events are accepted while the
 * log target's consumer is stopped, the relay is stopped (for the embedded broker, the broker with it), and a
 * new relay on the same broker and data directory delivers every one of them.
 */
class RestartIT {

    private static final String KEY = "restart-key-" + UUID.randomUUID();

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sqreenrelay.it.TestBroker#kinds")
    void eventsAcceptedBeforeARestartAreDeliveredAfterIt(String kind) throws Exception {
        Path data = Files.createTempDirectory("relay-restart");
        Map<String, String> settings = Map.of("relay.signature-key", KEY);
        try (TestBroker broker = TestBroker.of(kind)) {
            byte[] body = IngressContractTestBase.freshEvents(20);
            List<String> keys = IngressContractTestBase.keysIn(new String(body, StandardCharsets.UTF_8));

            try (RelayUnderTest first = RelayUnderTest.start(broker, data, settings)) {
                first.stopDelivery("log");
                HttpResponse<String> response = first.postSigned(KEY, body);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(response.body()).contains("\"accepted\": 20");
                if (broker instanceof TestBroker.RabbitVhost vhost) {
                    // the 20 events wait in the log target's durable queue, as one message (one request);
                    // RabbitMQ publishes queue counts every few seconds
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                            assertThat(vhost.queues("name", "messages", "durable")).contains("relay.target.log\t1\ttrue"));
                }
            }
            keys.forEach(key -> assertThat(NotificationLog.linesFor(key)).as("not delivered before the restart").isEmpty());

            try (RelayUnderTest second = RelayUnderTest.start(broker, data, settings)) {
                for (String key : keys) {
                    assertThat(NotificationLog.awaitLogged(key)).hasSize(1);
                }
            }
        }
    }

    /** RabbitMQ only: the embedded broker is part of the relay and cannot be missing while the relay runs. */
    @Test
    void aBrokerThatIsNotThereAtAllGets503NeverA200() throws Exception {
        // a RabbitMQ URI with nothing listening behind it; the relay still starts and answers
        Path data = Files.createTempDirectory("relay-nobroker");
        int port = RelayUnderTest.freePort();
        TestBroker nowhere = new TestBroker() {
            @Override
            public String uri() {
                return "amqp://guest:guest@127.0.0.1:" + port + "/";
            }

            @Override
            public void close() {
            }
        };
        try (RelayUnderTest relay = RelayUnderTest.start(nowhere, data, Map.of("relay.signature-key", KEY))) {
            HttpResponse<String> response = relay.postSigned(KEY, IngressContractTestBase.freshEvents(1));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
        }
    }
}
