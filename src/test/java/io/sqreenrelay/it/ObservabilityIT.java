package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Health and metrics, against a real RabbitMQ: readiness follows the broker away and back by itself; a failing
 * target shows in the health details without making the relay unready; every relay metric moves by exactly what a
 * scripted run did.
 */
class ObservabilityIT {

    private static final String KEY = "observe-key-" + UUID.randomUUID();

    private TestBroker.RabbitVhost broker;
    private RelayUnderTest relay;
    private StubHttpServer httpTarget;

    @AfterEach
    void stop() throws Exception {
        if (relay != null) {
            relay.close();
        }
        if (httpTarget != null) {
            httpTarget.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void readinessIsDownWhileTheBrokerIsAwayAndComesBackByItself() throws Exception {
        broker = TestBroker.rabbitMq();
        relay = RelayUnderTest.start(broker, Files.createTempDirectory("relay-observe"),
                Map.of("relay.signature-key", KEY));
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/observe/health/ready").statusCode() == 200);

        // the relay's user loses the vhost and its connections: the broker is away for the relay
        broker.cut();

        HttpResponse<String> down = awaitStatus("/observe/health/ready", 503);
        System.out.println("readiness with the broker away: " + down.body());
        assertThat(down.body()).contains("\"status\":\"DOWN\"");
        assertThat(checkStatus(down.body(), "broker")).isEqualTo("DOWN");
        assertThat(down.body()).doesNotContain("guest:guest");
        assertThat(get("/observe/health/live").statusCode()).as("a missing broker is no reason to restart").isEqualTo(200);
        HttpResponse<String> refused = relay.postSigned(KEY, IngressContractTestBase.freshEvents(2));
        assertThat(refused.statusCode()).isEqualTo(503);

        broker.restore();
        HttpResponse<String> up = awaitStatus("/observe/health/ready", 200);
        assertThat(checkStatus(up.body(), "broker")).isEqualTo("UP");
        assertThat(checkStatus(up.body(), "consumers")).isEqualTo("UP");

        // and it works again, consumers included: a new event is accepted and delivered
        byte[] body = IngressContractTestBase.freshEvents(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.postSigned(KEY, body).statusCode() == 200);
        for (String key : IngressContractTestBase.keysIn(new String(body, StandardCharsets.UTF_8))) {
            assertThat(NotificationLog.awaitLogged(key)).hasSize(1);
        }
    }

    @Test
    void everyMetricMovesByWhatAScriptedRunDid() throws Exception {
        broker = TestBroker.rabbitMq();
        httpTarget = new StubHttpServer(400);     // the HTTP target refuses everything: dead letters at once
        relay = RelayUnderTest.start(broker, Files.createTempDirectory("relay-observe"), Map.of(
                "relay.signature-key", KEY,
                "relay.http-target.url", httpTarget.url("/hook").toString(),
                "relay.max-body-size", "10000"));
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/observe/health/ready").statusCode() == 200);

        byte[] three = IngressContractTestBase.freshEvents(3);
        List<String> keys = IngressContractTestBase.keysIn(new String(three, StandardCharsets.UTF_8));
        assertThat(relay.postSigned(KEY, three).statusCode()).isEqualTo(200);
        assertThat(relay.postSigned(KEY, three).statusCode()).as("a resend: 3 duplicates").isEqualTo(200);
        assertThat(relay.postSigned("not-the-key", three).statusCode()).isEqualTo(401);
        byte[] notEvents = "{\"hello\": 1}".getBytes(StandardCharsets.UTF_8);
        assertThat(relay.postSigned(KEY, notEvents).statusCode()).isEqualTo(422);
        assertThat(relay.send(HttpRequest.newBuilder(relay.webhook())
                .header("Content-Type", "text/plain")
                .header("X-Sqreen-Integrity", io.sqreenrelay.ingress.WebhookSignature.sign(KEY, three))
                .POST(HttpRequest.BodyPublishers.ofByteArray(three))).statusCode()).isEqualTo(415);
        assertThat(relay.send(HttpRequest.newBuilder(relay.webhook()).GET()).statusCode()).isEqualTo(405);
        assertThat(relay.postSigned(KEY, new byte[20_000]).statusCode()).isEqualTo(413);
        keys.forEach(NotificationLog::awaitLogged);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = get("/observe/metrics").body();
            assertThat(value(metrics, "sqreen_relay_requests_total{outcome=\"accepted\"}")).isEqualTo(2);
            assertThat(value(metrics, "sqreen_relay_requests_total{outcome=\"bad_signature\"}")).isEqualTo(1);
            assertThat(value(metrics, "sqreen_relay_requests_total{outcome=\"malformed\"}")).isEqualTo(1);
            assertThat(value(metrics, "sqreen_relay_requests_total{outcome=\"unsupported_type\"}")).isEqualTo(1);
            assertThat(value(metrics, "sqreen_relay_requests_total{outcome=\"method_not_allowed\"}")).isEqualTo(1);
            assertThat(value(metrics, "sqreen_relay_requests_total{outcome=\"too_large\"}")).isEqualTo(1);
            assertThat(value(metrics, "sqreen_relay_requests_total{outcome=\"broker_unavailable\"}")).isEqualTo(0);
            assertThat(value(metrics, "sqreen_relay_request_duration_seconds_count{outcome=\"accepted\"}")).isEqualTo(2);
            assertThat(value(metrics, "sqreen_relay_events_accepted_total")).isEqualTo(3);
            assertThat(value(metrics, "sqreen_relay_events_duplicates_total")).isEqualTo(3);
            assertThat(value(metrics, "sqreen_relay_deliveries_total{outcome=\"delivered\",target=\"log\"}")).isEqualTo(3);
            assertThat(value(metrics, "sqreen_relay_delivery_latency_seconds_count{target=\"log\"}")).isEqualTo(3);
            assertThat(value(metrics, "sqreen_relay_deliveries_total{outcome=\"dead_lettered\",target=\"http\"}")).isEqualTo(3);
            assertThat(value(metrics, "sqreen_relay_deliveries_total{outcome=\"delivered\",target=\"http\"}")).isEqualTo(0);
            assertThat(value(metrics, "sqreen_relay_dead_letters{target=\"http\"}")).isEqualTo(3);
            assertThat(value(metrics, "sqreen_relay_dead_letters{target=\"log\"}")).isEqualTo(0);
            assertThat(value(metrics, "sqreen_relay_queue_messages{target=\"log\"}")).isEqualTo(0);
        });
        System.out.println("metrics after the run:\n" + get("/observe/metrics").body().lines()
                .filter(l -> l.startsWith("sqreen_relay_") && !l.contains("_bucket"))
                .filter(l -> !l.endsWith(" 0.0") && !l.endsWith(" 0"))
                .reduce("", (a, b) -> a + b + "\n"));

        // the failing target is in the health details, and the relay stays ready
        HttpResponse<String> ready = get("/observe/health/ready?data=true");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(checkStatus(ready.body(), "targets")).isEqualTo("UP");
        assertThat(ready.body()).contains("\"http.status\":\"failing\"", "\"http.failuresInARow\":3",
                "\"log.status\":\"ok\"", "HTTP 400 (permanent, after 1 attempt)");
        assertThat(ready.body()).doesNotContain(httpTarget.url("/hook").toString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return relay.observe(path);
    }

    private HttpResponse<String> awaitStatus(String path, int status) {
        HttpResponse<String>[] last = new HttpResponse[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = get(path);
            return last[0].statusCode() == status;
        });
        return last[0];
    }

    /** The status of one check in a health answer: {"name":"broker","status":"DOWN",...}. */
    private static String checkStatus(String health, String check) {
        Matcher m = Pattern.compile("\\{\"name\":\"" + check + "\",\"status\":\"(\\w+)\"").matcher(health);
        assertThat(m.find()).as("check " + check + " in " + health).isTrue();
        return m.group(1);
    }

    /** The value of one sample in the Prometheus text. */
    private static double value(String metrics, String sample) {
        return metrics.lines()
                .filter(line -> line.startsWith(sample + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(sample.length() + 1).trim()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + sample));
    }
}
