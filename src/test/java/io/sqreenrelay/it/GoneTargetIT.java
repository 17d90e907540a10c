package io.sqreenrelay.it;

import static io.sqreenrelay.it.StubHttpServer.Answer.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A target that is gone (issue 16): Slack answers {@code 410 channel_is_archived}. It is asked once, then suspended:
 * no more requests, its events wait in its queue (none dead-lettered), readiness stays up, health and
 * {@code GET /admin/targets} show it suspended with the reason, the admins are mailed once (GreenMail), the metric
 * says 1; a restart keeps the suspension (no Redis: the state directory); {@code POST /admin/targets/slack/resume}
 * sends what waited, each event once. On both brokers.
 */
class GoneTargetIT {

    private static final String KEY = "gone-key-" + UUID.randomUUID();
    private static final String ADMIN_TOKEN = "admin-" + UUID.randomUUID();
    private static final String ADMIN = "admin@example.test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(40);

    private RelayUnderTest relay;

    @ParameterizedTest
    @MethodSource("io.sqreenrelay.it.TestBroker#kinds")
    void a410SuspendsTheTargetUntilAnAdminResumesIt(String kind) throws Exception {
        Path data = Files.createTempDirectory("relay-it-gone");
        GreenMail smtp = new GreenMail(new ServerSetup(RelayUnderTest.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try (TestBroker broker = TestBroker.of(kind);
             StubHttpServer slack = new StubHttpServer(200);
             StubHttpServer http = new StubHttpServer(200)) {
            slack.answerByDefault(status(410).withBody("channel_is_archived"));
            Map<String, String> settings = new HashMap<>();
            settings.put("relay.signature-key", KEY);
            settings.put("relay.slack.webhook-url", slack.url("/services/T0/B0/gone").toString());
            settings.put("relay.http-target.url", http.url("/hook").toString());
            settings.put("relay.smtp.host", "127.0.0.1");
            settings.put("relay.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
            settings.put("relay.admin.emails", ADMIN);
            settings.put("relay.admin.token", ADMIN_TOKEN);
            settings.put("relay.retry.first-delay", "200ms");
            settings.put("relay.retry.max-delay", "1s");
            String id = UUID.randomUUID().toString();
            relay = RelayUnderTest.start(broker, data, settings);
            try {
                post(relay, id + "-1");
                await().atMost(PATIENCE).until(() -> slack.requests().size() == 1);
                await().atMost(PATIENCE).until(() -> "suspended".equals(targets(relay).path("slack").path("state").asText()));
                JsonNode state = targets(relay).path("slack");
                System.out.println("410 channel_is_archived: GET /admin/targets says slack " + state);
                assertThat(state.path("reason").asText()).isEqualTo("HTTP 410 channel_is_archived");
                assertThat(state.path("since").asText()).isNotEmpty();
                post(relay, id + "-2");
                post(relay, id + "-3");
                await().atMost(PATIENCE).until(() -> http.requestsWith(id + "-3").size() == 1);
                await().atMost(PATIENCE).until(() -> smtp.getReceivedMessages().length == 1);
                Thread.sleep(3000);
                assertThat(slack.requests()).as("asked once, then nothing more").hasSize(1);
                MimeMessage[] mails = smtp.getReceivedMessages();
                assertThat(mails).as("the admins are told once").hasSize(1);
                assertThat(mails[0].getSubject()).contains("slack").contains("suspended");
                assertThat(relay.observe("/observe/health/ready").statusCode()).as("readiness stays up").isEqualTo(200);
                String health = relay.observe("/observe/health?data=true").body();
                assertThat(health).contains("suspended").contains("channel_is_archived");
                assertThat(relay.observe("/observe/metrics").body())
                        .contains("sqreen_relay_target_suspended{target=\"slack\"} 1.0");
                assertThat(admin(relay, "GET", "/admin/dead-letters/slack").path("count").asInt()).isZero();

                // a restart keeps it (no Redis here: DATA_DIR/state), and asks Slack nothing
                relay.close();
                relay = RelayUnderTest.start(broker, data, settings);
                await().atMost(PATIENCE).until(() -> "suspended".equals(targets(relay).path("slack").path("state").asText()));
                Thread.sleep(3000);
                assertThat(slack.requests()).as("still suspended after a restart").hasSize(1);

                slack.answerByDefault(status(200).withBody("ok"));
                JsonNode resumed = admin(relay, "POST", "/admin/targets/slack/resume");
                assertThat(resumed.path("resumed").asBoolean()).isTrue();
                for (String event : List.of(id + "-1", id + "-2", id + "-3")) {
                    await().atMost(PATIENCE).until(() -> slack.requestsWith(event).stream().anyMatch(r -> r.succeeded()));
                }
                Thread.sleep(2000);
                for (String event : List.of(id + "-2", id + "-3")) {
                    assertThat(slack.requestsWith(event)).as("sent once, after the resume").hasSize(1);
                }
                assertThat(slack.requestsWith(id + "-1")).as("the 410, then once after the resume").hasSize(2);
                assertThat(targets(relay).path("slack").path("state").asText()).isEqualTo("ok");
                assertThat(relay.observe("/observe/metrics").body())
                        .contains("sqreen_relay_target_suspended{target=\"slack\"} 0.0");
                assertThat(smtp.getReceivedMessages()).as("no second notice").hasSize(1);
                System.out.println("410 sequence (" + kind + "): Slack asked once, suspended, admins mailed "
                        + smtp.getReceivedMessages().length + " time(s), Slack asked " + slack.requests().size()
                        + " times in all after the resume (3 events)");
            } finally {
                relay.close();
            }
        } finally {
            smtp.stop();
        }
    }

    private static void post(RelayUnderTest relay, String id) throws Exception {
        String event = TargetsContractTestBase.event(id, "gone-app", "Gone " + id);
        HttpResponse<String> response = relay.postSigned(KEY, ("[" + event + "]").getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static JsonNode targets(RelayUnderTest relay) throws Exception {
        return admin(relay, "GET", "/admin/targets");
    }

    private static JsonNode admin(RelayUnderTest relay, String method, String path) throws Exception {
        HttpResponse<String> response = relay.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + relay.port() + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
