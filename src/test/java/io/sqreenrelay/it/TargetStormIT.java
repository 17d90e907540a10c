package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.sqreenrelay.it.StubHttpServer.Answer;
import io.sqreenrelay.it.StubHttpServer.Request;
import jakarta.mail.internet.MimeMessage;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Three targets misbehave at once while events keep coming: Slack answers 429 with Retry-After to everything, the HTTP
 * target hangs past its time-out, and the SMS API refuses every message for good (400; a 410 would suspend it, GoneTargetIT). The log and email targets must deliver everything
 * meanwhile; Slack must be paced (held for its Retry-After, not asked once per waiting event); when the storm ends,
 * Slack and HTTP deliver every event; the SMS events are all in the dead letters. The storm lasts 10 s in the build,
 * a minute in a soak.
 */
class TargetStormIT {

    private static final String KEY = "storm-key-" + UUID.randomUUID();
    private static final Pattern EVENT_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int RETRY_AFTER_SECONDS = 2;

    @Test
    void aTargetStormSlowsNoOtherTargetAndLosesNothing() throws Exception {
        int requests = Soak.pick(20, 100);
        Duration storm = Duration.ofSeconds(Soak.pick(10, 60));
        GreenMail smtp = new GreenMail(new ServerSetup(RelayUnderTest.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try (TestBroker.RabbitVhost broker = TestBroker.rabbitMq();
             StubHttpServer slack = new StubHttpServer(200);
             StubHttpServer http = new StubHttpServer(200);
             StubHttpServer twilio = new StubHttpServer(400)) {
            slack.answerByDefault(Answer.status(429).withHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS)));
            http.answerByDefault(Answer.status(200).after(3_000));   // past the 1 s time-out below
            Map<String, String> settings = new HashMap<>();
            settings.put("relay.signature-key", KEY);
            settings.put("relay.smtp.host", "127.0.0.1");
            settings.put("relay.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
            settings.put("relay.mail.to", "soc@example.test");
            settings.put("relay.slack.webhook-url", slack.url("/services/T0/B0/storm").toString());
            settings.put("relay.http-target.url", http.url("/events").toString());
            settings.put("relay.twilio.account-sid", "AC0123456789abcdef");
            settings.put("relay.twilio.auth-token", "storm-token");
            settings.put("relay.twilio.api-url", twilio.url("").toString());
            settings.put("relay.sms.from", "+15559999999");
            settings.put("relay.sms.to", "+15551234567");
            settings.put("relay.target-timeout-ms", "1000");
            settings.put("relay.retry.first-delay", "200ms");
            settings.put("relay.slack.max-per-second", "1000");   // pacing has its own test (PacingIT)
            settings.put("relay.sms.max-per-minute", "1000");
            settings.put("relay.retry.max-delay", "2s");
            settings.put("relay.retry.max-age", "30m");
            try (RelayUnderTest relay = RelayUnderTest.start(broker, Files.createTempDirectory("relay-storm"), settings)) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < requests; i++) {
                    byte[] body = titledEvents(10);
                    HttpResponse<String> response = relay.postSigned(KEY, body);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    ids.addAll(eventIds(new String(body, StandardCharsets.UTF_8)));
                }
                Set<String> accepted = Set.copyOf(ids);

                // while the storm lasts, log and email deliver everything
                List<Tally> calm = Tally.awaitNoneLost(Duration.ofSeconds(120), () -> List.of(
                        Tally.of("log", accepted, idsIn(NotificationLog.lines())),
                        Tally.of("email", accepted, idsIn(mailBodies(smtp)))));
                long stormStart = System.currentTimeMillis();
                Thread.sleep(storm.toMillis());
                long slackAttempts = slack.requests().stream().filter(r -> r.at() >= stormStart).count();
                long httpAttempts = http.requests().stream().filter(r -> r.at() >= stormStart).count();
                System.gc();
                long heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
                String waiting = String.join(", ", broker.queues("name", "messages"));
                assertThat(slack.requests()).noneMatch(Request::succeeded);
                assertThat(http.requests()).noneMatch(Request::succeeded);

                // the storm ends: Slack and HTTP deliver every event; the SMS events are in the dead letters
                slack.answerByDefault(Answer.status(200));
                http.answerByDefault(Answer.status(200));
                List<Tally> after = Tally.awaitNoneLost(Duration.ofSeconds(120), () -> List.of(
                        Tally.of("slack", accepted, idsIn(bodies(slack, Request::succeeded))),
                        Tally.of("http", accepted, idsIn(bodies(http, Request::succeeded)))));
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        broker.queues("name", "messages").contains("relay.dead.sms\t" + accepted.size()));
                assertThat(twilio.requests()).as("400 is final: one attempt per event").hasSize(accepted.size());

                System.out.println("target storm of " + storm.toSeconds() + " s, " + accepted.size() + " events: "
                        + calm + "; " + after + "; sms: " + accepted.size() + " dead-lettered after "
                        + twilio.requests().size() + " attempts; during the storm Slack (429, Retry-After "
                        + RETRY_AFTER_SECONDS + ") was asked " + slackAttempts + " times, the hanging HTTP target "
                        + httpAttempts + " times; heap after GC " + heapMb + " MB; queues: " + waiting);
                assertThat(slackAttempts).as("Slack is held for its Retry-After, not asked once per waiting event")
                        .isLessThan(accepted.size());
                assertThat(slackAttempts).as("and asked again each time the wait is over: no target starves another")
                        .isGreaterThanOrEqualTo(storm.toSeconds() / RETRY_AFTER_SECONDS / 2);
                assertThat(heapMb).as("the waiting events are in the broker, not in memory").isLessThan(512);
                for (Tally tally : after) {
                    assertThat(tally.lost()).as(tally.toString()).isZero();
                }
            }
        } finally {
            smtp.stop();
        }
    }

    /** Fresh events whose title holds their id, so that every target's message (Slack's too) names its event. */
    private static byte[] titledEvents(int n) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            UUID id = UUID.randomUUID();
            events.add(IngressContractTestBase.event(id).replace("Attack from 10.0.0.1", "Attack " + id));
        }
        return ("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> eventIds(String text) {
        List<String> ids = new ArrayList<>();
        Matcher m = EVENT_ID.matcher(text);
        while (m.find()) {
            ids.add(m.group());
        }
        return ids;
    }

    /** Every event id found in the texts, once per text (one text is one delivery of one event). */
    private static List<String> idsIn(List<String> texts) {
        return texts.stream().map(TargetStormIT::eventIds).filter(found -> !found.isEmpty())
                .map(found -> found.get(0)).toList();
    }

    private static List<String> bodies(StubHttpServer server, Predicate<Request> which) {
        return server.requests().stream().filter(which).map(Request::body).toList();
    }

    private static List<String> mailBodies(GreenMail smtp) {
        List<String> bodies = new ArrayList<>();
        for (MimeMessage message : smtp.getReceivedMessages()) {
            bodies.add(com.icegreen.greenmail.util.GreenMailUtil.getWholeMessage(message));
        }
        return bodies;
    }
}
