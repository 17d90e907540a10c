package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, fault 10: health and metrics on MANAGEMENT_PORT, a port of their own, with the webhook served on
 * HTTP_PORT; nothing of them on the webhook's port; the exposure level and stack traces are not the caller's choice.
 */
class ManagementPortIT {

    private static final String KEY = "management-key-" + UUID.randomUUID();

    private TestBroker.RabbitVhost broker;
    private RelayUnderTest relay;

    @AfterEach
    void stop() throws Exception {
        if (relay != null) {
            relay.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void webhookOnItsPortHealthAndMetricsOnTheManagementPortOnly() throws Exception {
        broker = TestBroker.rabbitMq();
        relay = RelayUnderTest.start(broker, Files.createTempDirectory("relay-management"), Map.of(
                "relay.signature-key", KEY));
        assertThat(relay.managementPort()).isNotEqualTo(relay.port());
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.observe("/observe/health/ready").statusCode() == 200);

        byte[] body = IngressContractTestBase.freshEvents(1);
        HttpResponse<String> accepted = relay.postSigned(KEY, body);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        for (String key : IngressContractTestBase.keysIn(new String(body, StandardCharsets.UTF_8))) {
            assertThat(NotificationLog.awaitLogged(key)).hasSize(1);
        }
        assertThat(relay.camel().getRouteController().getRouteStatus("webhook-ingress").isStarted()).isTrue();

        assertThat(relay.observe("/observe/health/live").statusCode()).isEqualTo(200);
        assertThat(relay.observe("/observe/metrics").body()).contains("sqreen_relay_events_accepted_total 1.0");
        for (String path : new String[] {"/observe/health", "/observe/health/ready", "/observe/health/live",
                "/observe/metrics"}) {
            assertThat(relay.get(path).statusCode()).as("GET " + path + " on the webhook's port").isEqualTo(404);
        }
        assertThat(relay.observe("/observe/health/ready").headers().firstValue("X-Content-Type-Options"))
                .contains("nosniff");
    }

    @Test
    void aCallerCannotChooseTheExposureLevelNorAskForStackTraces() throws Exception {
        broker = TestBroker.rabbitMq();
        relay = RelayUnderTest.start(broker, Files.createTempDirectory("relay-management"), Map.of(
                "relay.signature-key", KEY));
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.observe("/observe/health/ready").statusCode() == 200);
        // a check that fails with an exception: Camel's health endpoint would show its stack trace on request
        HealthCheckRegistry.get(relay.camel()).register(new AbstractHealthCheck("test", "failing-with-error") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                builder.error(new IllegalStateException("a failure with a stack trace"));
                builder.down();
            }
        });

        HttpResponse<String> asked = relay.observe("/observe/health/ready?exposureLevel=full&stackTrace=true&data=true");
        assertThat(asked.statusCode()).isEqualTo(503);
        assertThat(asked.body()).contains("failing-with-error", "a failure with a stack trace")
                .doesNotContain("error-stacktrace", "AbstractHealthCheck", "\\tat ");

        // the configured level (full) holds whatever the caller asks: a lower one is ignored too
        HttpResponse<String> oneline = relay.observe("/observe/health/ready?exposureLevel=oneline");
        assertThat(oneline.body()).contains("\"checks\"", "\"name\":\"broker\"");
    }
}
