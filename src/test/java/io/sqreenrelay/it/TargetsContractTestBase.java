package io.sqreenrelay.it;

import static io.sqreenrelay.it.StubHttpServer.Answer.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.sqreenrelay.Vectors;
import io.sqreenrelay.Vectors.Vector;
import io.sqreenrelay.event.SqreenEvent;
import io.sqreenrelay.event.SqreenEvents;
import io.sqreenrelay.ingress.WebhookSignature;
import io.sqreenrelay.it.StubHttpServer.Request;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every target of the SPEC against real servers started here: GreenMail for SMTP, and real HTTP servers standing
 * in for the HTTP target, Slack and Twilio, with scripted answers. Subclasses choose the broker.
 *
 * <p>Retries are made fast for the tests (first retry after 200 ms, at most 1 s apart, given up after 10 s); the
 * targets time out after 1 s. An extra target, {@code audit}, is added from a YAML file alone, written here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class TargetsContractTestBase {

    static final String KEY = "it-key-" + UUID.randomUUID();
    static final String ADMIN_TOKEN = "admin-" + UUID.randomUUID();
    static final String HTTP_SECRET = "http-secret-" + UUID.randomUUID();
    static final List<String> SMS_TO = List.of("+15550000001", "+15550000002");
    static final List<String> ADMIN_PHONES = List.of("+15550000009");
    static final String MAIL_TO = "ops@example.test";
    static final List<String> ADMIN_EMAILS = List.of("admin1@example.test", "admin2@example.test");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(40);

    TestBroker broker;
    RelayUnderTest relay;
    GreenMail smtp;
    StubHttpServer http;
    StubHttpServer slack;
    StubHttpServer twilio;
    StubHttpServer audit;
    Path data;
    Map<String, String> settings;
    /** The application id of the vectors' events that the relay takes as its own (internal alerts). */
    String vectorsOwnApp;

    abstract TestBroker newBroker();

    @BeforeAll
    void startRelayAndTargets() throws Exception {
        broker = newBroker();
        smtp = new GreenMail(new ServerSetup(RelayUnderTest.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        http = new StubHttpServer(200);
        slack = new StubHttpServer(200);
        twilio = new StubHttpServer(201);
        audit = new StubHttpServer(204);
        data = Files.createTempDirectory("relay-it-targets");

        Path extraRoutes = Files.createDirectories(data.resolve("extra-routes"));
        Files.writeString(extraRoutes.resolve("target-audit.yaml"), auditTargetYaml(audit.url("/audit")));

        Set<String> secrets = new LinkedHashSet<>();
        secrets.add(KEY);
        Vectors.all().forEach(v -> secrets.add(v.secret()));
        vectorsOwnApp = "601366f227a5d5001fe83586";
        settings = new HashMap<>();
        settings.put("camel.main.routes-include-pattern", "file:routes/*.yaml,file:" + extraRoutes + "/*.yaml");
        settings.put("relay.signature-key", String.join(",", secrets));
        settings.put("relay.application-id", vectorsOwnApp);
        settings.put("relay.smtp.host", "127.0.0.1");
        settings.put("relay.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
        settings.put("relay.mail.from", "relay@example.test");
        settings.put("relay.mail.to", MAIL_TO);
        settings.put("relay.admin.emails", String.join(",", ADMIN_EMAILS));
        settings.put("relay.http-target.url", http.url("/events?source=relay").toString());
        settings.put("relay.http-target.secret", HTTP_SECRET);
        settings.put("relay.slack.webhook-url", slack.url("/services/T000/B000/secret-part").toString());
        settings.put("relay.twilio.account-sid", "AC0123456789abcdef");
        settings.put("relay.twilio.auth-token", "twilio-token");
        settings.put("relay.twilio.api-url", twilio.url("").toString());
        settings.put("relay.sms.from", "+15559999999");
        settings.put("relay.sms.to", String.join(",", SMS_TO));
        settings.put("relay.admin.phones", String.join(",", ADMIN_PHONES));
        settings.put("relay.admin.token", ADMIN_TOKEN);
        settings.put("relay.retry.first-delay", "200ms");
        settings.put("relay.retry.max-delay", "1s");
        settings.put("relay.retry.max-age", "10s");
        settings.put("relay.retry.after-max", "5s");
        settings.put("relay.slack.max-per-second", "1000");       // pacing has its own test (PacingIT)
        settings.put("relay.sms.max-per-minute", "1000");
        // 3 s, not 1: the stubs run in this JVM, and an answer held up past the time-out (GC, a loaded machine) is
        // sent again: a second delivery, which the exactly-once assertions count as a duplicate
        settings.put("relay.target-timeout-ms", "3000");
        relay = RelayUnderTest.start(broker, data, settings);
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {relay, broker, http, slack, twilio, audit}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    // ---- every event, every target, exactly once

    @Test
    @Order(1)
    void everyEventOfEveryVectorReachesEveryTargetExactlyOnceAndInternalAlertsReachTheAdminsOnce() throws Exception {
        Map<String, Boolean> expected = new HashMap<>();           // key -> internal
        for (Vector vector : Vectors.all()) {
            if (!vector.acceptable()) {
                continue;
            }
            HttpResponse<String> response = relay.send(HttpRequest.newBuilder(relay.webhook())
                    .header("Content-Type", "application/json")
                    .header("X-Sqreen-Integrity", vector.signature())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(vector.bytes())));
            assertThat(response.statusCode()).as(vector.name()).isEqualTo(200);
            for (SqreenEvent event : events(vector.body())) {
                expected.put(event.key(), event.concerns(vectorsOwnApp));
            }
        }
        long internal = expected.values().stream().filter(b -> b).count();
        assertThat(internal).as("the vectors hold events of the relay's own application").isPositive();
        assertThat(expected.size() - internal).as("and others").isPositive();

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(keysPostedTo(http)).hasSize(expected.size());
            assertThat(keysPostedTo(audit)).hasSize(expected.size());
            assertThat(slack.requests()).hasSize(expected.size());
            assertThat(twilio.requests()).hasSize(expected.size() * SMS_TO.size() + (int) internal * ADMIN_PHONES.size());
            assertThat(mailsTo(MAIL_TO)).hasSize(expected.size());
            for (String admin : ADMIN_EMAILS) {
                assertThat(mailsTo(admin)).hasSize((int) internal);
            }
        });
        // exactly once: every key once at the HTTP target, and with its internal flag
        Map<String, List<Request>> byKey = http.requests().stream()
                .collect(Collectors.groupingBy(r -> r.header("X-Relay-Event-Key")));
        assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(
                expected.keySet().stream().map(io.sqreenrelay.delivery.NotificationText::headerSafe).toList());
        byKey.forEach((key, requests) -> assertThat(requests).as(key).hasSize(1));
        for (Request request : http.requests()) {
            boolean isInternal = expected.entrySet().stream()
                    .filter(e -> io.sqreenrelay.delivery.NotificationText.headerSafe(e.getKey())
                            .equals(request.header("X-Relay-Event-Key")))
                    .findFirst().orElseThrow().getValue();
            assertThat(request.header("X-Relay-Internal-Alert")).isEqualTo(Boolean.toString(isInternal));
            assertThat(request.header("X-Relay-Signature"))
                    .isEqualTo(WebhookSignature.sign(HTTP_SECRET, request.body().getBytes(StandardCharsets.UTF_8)));
            assertThat(JSON.readTree(request.body()).isObject()).isTrue();
            assertThat(request.path()).isEqualTo("/events");
        }
        // the admins' mails and texts are the internal alerts, tagged
        for (String admin : ADMIN_EMAILS) {
            for (MimeMessage mail : mailsTo(admin)) {
                assertThat(mail.getSubject()).startsWith("[INTERNAL SECURITY ALERT] ");
            }
        }
        List<Request> adminTexts = twilio.requests().stream()
                .filter(r -> form(r).get("To").equals(ADMIN_PHONES.get(0))).toList();
        assertThat(adminTexts).hasSize((int) internal)
                .allSatisfy(r -> assertThat(form(r).get("Body")).startsWith("[INTERNAL SECURITY ALERT] "));
        // Twilio: form, basic auth, the account's Messages URL
        for (Request text : twilio.requests()) {
            assertThat(text.path()).isEqualTo("/2010-04-01/Accounts/AC0123456789abcdef/Messages.json");
            assertThat(text.header("Authorization")).isEqualTo("Basic " + java.util.Base64.getEncoder()
                    .encodeToString("AC0123456789abcdef:twilio-token".getBytes(StandardCharsets.UTF_8)));
            assertThat(form(text)).containsEntry("From", "+15559999999");
            assertThat(form(text).get("Body")).hasSizeLessThanOrEqualTo(1600);
        }
        // Slack: JSON with a text; internal alerts stand out
        long slackAlerts = slack.requests().stream()
                .filter(r -> slackText(r).contains("[INTERNAL SECURITY ALERT]")).count();
        assertThat(slackAlerts).isEqualTo(internal);
        // mail: plain text, from configuration, with the link
        MimeMessage first = mailsTo(MAIL_TO).get(0);
        assertThat(first.getFrom()[0].toString()).isEqualTo("relay@example.test");
        assertThat(first.getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
        // nothing failed on the way
        deadLetters().fields().forEachRemaining(target ->
                assertThat(target.getValue().get("count").asInt()).as(target.getKey()).isZero());
    }

    // ---- retries

    @Test
    @Order(2)
    void a503ThreeTimesThenOkIsDeliveredOnceAfterThreeRetriesWhileTheOtherTargetsGoOn() throws Exception {
        String id = UUID.randomUUID().toString();
        http.script(id, status(503), status(503), status(503));
        post(event(id, "it-app", "Three 503 " + id));
        // the other targets do not wait for the failing one
        await().atMost(PATIENCE).until(() -> slack.requestsWith(id).size() == 1);
        await().atMost(PATIENCE).until(() -> http.requestsWith(id).size() == 4);
        List<Request> attempts = http.requestsWith(id);
        for (int i = 1; i < attempts.size(); i++) {
            assertThat(attempts.get(i).at() - attempts.get(i - 1).at()).as("backoff between attempts").isGreaterThanOrEqualTo(150);
        }
        settle();
        assertThat(http.requestsWith(id)).hasSize(4);
        assertThat(deadLetterKeys("http")).doesNotContain(keyOf(id));
    }

    @Test
    @Order(3)
    void a429WithRetryAfterIsNotRetriedBeforeIt() throws Exception {
        String id = UUID.randomUUID().toString();
        http.script(id, status(429).withHeader("Retry-After", "2"));
        slack.script(id, status(429).withBody("{\"ok\":false,\"error\":\"ratelimited\",\"retry_after\":2}"));
        post(event(id, "it-app", "Rate limited " + id));
        await().atMost(PATIENCE).until(() -> http.requestsWith(id).size() == 2 && slack.requestsWith(id).size() == 2);
        for (StubHttpServer target : List.of(http, slack)) {
            List<Request> attempts = target.requestsWith(id);
            long waited = attempts.get(1).at() - attempts.get(0).at();
            System.out.println("Retry-After 2 s: asked again after " + waited + " ms (" + attempts.get(0).path() + ")");
            assertThat(waited).isGreaterThanOrEqualTo(2000);
        }
        settle();
        assertThat(http.requestsWith(id)).hasSize(2);
        assertThat(slack.requestsWith(id)).hasSize(2);
    }

    @Test
    @Order(3)
    void aRetryAfterLongerThanRetryAfterMaxIsCappedThere() throws Exception {
        // RETRY_AFTER_MAX is 5 s here: a Retry-After of 999999 s (11.5 days) is cut to it, so the event is delivered
        String id = UUID.randomUUID().toString();
        http.script(id, status(429).withHeader("Retry-After", "999999"), status(200));
        post(event(id, "it-app", "Capped " + id));
        await().atMost(PATIENCE).until(() -> http.requestsWith(id).size() == 2);
        List<Request> attempts = http.requestsWith(id);
        System.out.println("Retry-After 999999 with RETRY_AFTER_MAX 5s: asked again after "
                + (attempts.get(1).at() - attempts.get(0).at()) + " ms");
        assertThat(attempts.get(1).succeeded()).as("delivered on the second attempt").isTrue();
        settle();
        assertThat(http.requestsWith(id)).hasSize(2);
        assertThat(deadLetterKeys("http")).doesNotContain(keyOf(id));
    }

    @Test
    @Order(4)
    void aTargetThatDoesNotAnswerInTimeIsRetried() throws Exception {
        String id = UUID.randomUUID().toString();
        http.script(id, status(200).after(10_000));     // well past the 3 s time-out
        post(event(id, "it-app", "Slow " + id));
        await().atMost(PATIENCE).until(() -> http.requestsWith(id).size() == 2);
        settle();
        assertThat(http.requestsWith(id)).hasSize(2);
        assertThat(deadLetterKeys("http")).doesNotContain(keyOf(id));
    }

    // ---- dead letters and replay

    @Test
    @Order(5)
    void a400GoesStraightToTheDeadLettersAndIsReplayedOnRequest() throws Exception {
        String id = UUID.randomUUID().toString();
        http.script(id, status(400));
        twilio.script(id, status(400));                      // a refusal for good (a 410 would suspend the target)
        post(event(id, "it-app", "Refused " + id));
        String key = keyOf(id);
        await().atMost(PATIENCE).until(() -> deadLetterKeys("http").contains(key) && deadLetterKeys("sms").contains(key));
        assertThat(http.requestsWith(id)).hasSize(1);
        JsonNode dead = entry("http", key);
        assertThat(dead.get("attempts").asInt()).isEqualTo(1);
        assertThat(dead.get("lastError").asText()).startsWith("HTTP 400");
        assertThat(entry("sms", key).get("lastError").asText()).startsWith("HTTP 400");

        // one key replayed: delivered once more, and gone from the dead letters
        HttpResponse<String> replay = admin("POST", "/admin/dead-letters/http/replay?key="
                + java.net.URLEncoder.encode(key, StandardCharsets.UTF_8));
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(JSON.readTree(replay.body()).get("replayed").asInt()).isEqualTo(1);
        await().atMost(PATIENCE).until(() -> http.requestsWith(id).size() == 2);
        assertThat(deadLetterKeys("http")).doesNotContain(key);
        // all of a target's dead letters: the first number refused, the second was texted all the same (recipients
        // are independent); the dead letter names the number, and replayed, it asks that number alone
        assertThat(entry("sms", key).get("recipient").asText()).isEqualTo(SMS_TO.get(0));
        // the second number is texted after the first one's dead letter is written (the recipients' split goes on
        // after a failure): awaited, not counted at once; its exact count is checked at the end
        await().atMost(PATIENCE).until(() -> twilio.requestsWith(id).size() == 2);
        assertThat(admin("POST", "/admin/dead-letters/sms/replay").statusCode()).isEqualTo(200);
        await().atMost(PATIENCE).until(() -> twilio.requestsWith(id).size() == 3);
        assertThat(deadLetterKeys("sms")).doesNotContain(key);
        settle();
        assertThat(SMS_TO.stream().map(to -> twilio.requestsWith(id).stream().filter(r -> form(r).get("To").equals(to)).count()))
                .as("the number that refused is tried again, the other texted once").containsExactly(2L, 1L);
    }

    @Test
    @Order(6)
    void retriesStopAtTheMaximumAgeAndTheEventIsDeadLettered() throws Exception {
        String id = UUID.randomUUID().toString();
        StubHttpServer.Answer[] failures = new StubHttpServer.Answer[100];
        java.util.Arrays.fill(failures, status(503));
        slack.script(id, failures);
        post(event(id, "it-app", "Always 503 " + id));
        String key = keyOf(id);
        await().atMost(PATIENCE).until(() -> deadLetterKeys("slack").contains(key));
        JsonNode dead = entry("slack", key);
        assertThat(dead.get("lastError").asText()).startsWith("HTTP 503").contains("gave up");
        assertThat(dead.get("attempts").asInt()).isEqualTo(slack.requestsWith(id).size()).isGreaterThan(3);
    }

    @Test
    @Order(7)
    void theAdminApiWantsItsToken() throws Exception {
        URI list = URI.create("http://127.0.0.1:" + relay.port() + "/admin/dead-letters");
        assertThat(relay.send(HttpRequest.newBuilder(list).GET()).statusCode()).isEqualTo(401);
        assertThat(relay.send(HttpRequest.newBuilder(list).header("Authorization", "Bearer wrong").GET()).statusCode())
                .isEqualTo(401);
        HttpResponse<String> replay = relay.send(HttpRequest.newBuilder(URI.create(list + "/http/replay"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(replay.body()).doesNotContain(ADMIN_TOKEN);
        assertThat(admin("GET", "/admin/dead-letters/no-such-target").statusCode()).isEqualTo(404);
        // headers are headers (issue 12, fault 8): the token in the query string is no token, a header no path part
        String inQuery = "?Authorization=" + java.net.URLEncoder.encode("Bearer " + ADMIN_TOKEN, StandardCharsets.UTF_8);
        assertThat(relay.send(HttpRequest.newBuilder(URI.create(list + inQuery)).GET()).statusCode()).isEqualTo(401);
        assertThat(relay.send(HttpRequest.newBuilder(URI.create(list + "/http/replay" + inQuery))
                .POST(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(401);
        assertThat(relay.send(HttpRequest.newBuilder(URI.create(list + "/no-such-target"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("target", "http").GET()).statusCode())
                .isEqualTo(404);
        assertThat(admin("POST", "/admin/dead-letters/http/replay?key=no-such-key").statusCode()).isEqualTo(404);
        JsonNode all = deadLetters();
        assertThat(all.fieldNames()).toIterable()
                .containsExactlyInAnyOrder("log", "email", "admin-email", "http", "slack", "sms", "admin-sms", "audit");
    }

    // ---- hostile text

    @Test
    @Order(8)
    void hostileTitlesStayData() throws Exception {
        String id = UUID.randomUUID().toString();
        String title = "Injected " + id + "\r\nBcc: attacker@evil.test\r\n\r\n<!channel> <https://evil.test|click> & "
                + "x".repeat(5000);
        post(event(id, vectorsOwnApp, title));
        await().atMost(PATIENCE).until(() -> slack.requestsWith(id).size() == 1 && mailsContaining(id).size() == 1 + ADMIN_EMAILS.size()
                && twilio.requestsWith(id).size() == SMS_TO.size() + ADMIN_PHONES.size());
        // mail: no header or recipient added, the subject on one line
        assertThat(smtp.getUserManager().getUserByEmail("attacker@evil.test")).isNull();
        for (MimeMessage mail : mailsContaining(id)) {
            assertThat(mail.getSubject()).doesNotContain("\r").doesNotContain("\n");
            assertThat(mail.getHeader("Bcc")).isNull();
            // each recipient gets a mail of its own, to it alone
            assertThat(java.util.Arrays.stream(mail.getRecipients(Message.RecipientType.TO)).map(Object::toString).toList())
                    .isIn(List.of(MAIL_TO), List.of(ADMIN_EMAILS.get(0)), List.of(ADMIN_EMAILS.get(1)));
        }
        // Slack: the text shows the markup as text
        String text = slackText(slack.requestsWith(id).get(0));
        assertThat(text).contains("&lt;!channel&gt;").doesNotContain("<!channel>").doesNotContain("<https://evil.test");
        // SMS: at most 1600 characters
        twilio.requestsWith(id).forEach(r -> assertThat(form(r).get("Body")).hasSizeLessThanOrEqualTo(1600));
        // log: one line
        assertThat(NotificationLog.awaitLogged(vectorsOwnApp + ":security_event:id-" + id)).singleElement().asString().doesNotContain("\r").contains("\\r\\n");
    }

    // ---- duplicates

    @Test
    @Order(9)
    void aResentEventIsNotDeliveredAgain() throws Exception {
        String id = UUID.randomUUID().toString();
        byte[] body = ("[" + event(id, "it-app", "Resent " + id) + "]").getBytes(StandardCharsets.UTF_8);
        assertThat(relay.postSigned(KEY, body).body()).isEqualTo("{\"accepted\": 1, \"duplicates\": 0}");
        // the mail awaited too: counted after settle() only, the 2.5 s were its only wait
        await().atMost(PATIENCE).until(() -> http.requestsWith(id).size() == 1 && slack.requestsWith(id).size() == 1
                && mailsContaining(id).size() == 1);
        String resent = new String(body, StandardCharsets.UTF_8).replace("\"retry_count\":0", "\"retry_count\":2");
        assertThat(relay.postSigned(KEY, resent.getBytes(StandardCharsets.UTF_8)).body())
                .isEqualTo("{\"accepted\": 0, \"duplicates\": 1}");
        settle();
        assertThat(http.requestsWith(id)).hasSize(1);
        assertThat(slack.requestsWith(id)).hasSize(1);
        assertThat(mailsContaining(id)).hasSize(1);
    }

    // ---- restart with a retry pending

    @Test
    @Order(100)
    void aRetryPendingWhenTheRelayStopsIsDeliveredAfterItStartsAgain() throws Exception {
        String id = UUID.randomUUID().toString();
        http.script(id, status(503).withHeader("Retry-After", "3"));
        post(event(id, "it-app", "Pending " + id));
        await().atMost(PATIENCE).until(() -> http.requestsWith(id).size() == 1);
        relay.close();                                       // the event waits in a wait queue of the broker
        relay = RelayUnderTest.start(broker, data, settings);
        await().atMost(PATIENCE).until(() -> http.requestsWith(id).size() == 2);
        List<Request> attempts = http.requestsWith(id);
        assertThat(attempts.get(1).at() - attempts.get(0).at()).isGreaterThanOrEqualTo(3000);
        settle();
        assertThat(http.requestsWith(id)).hasSize(2);
        assertThat(deadLetterKeys("http")).doesNotContain(keyOf(id));
    }

    // ---- helpers

    void post(String event) throws Exception {
        HttpResponse<String> response = relay.postSigned(KEY, ("[" + event + "]").getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    static String event(String id, String appId, String title) throws Exception {
        Map<String, Object> message = new HashMap<>();
        message.put("event_id", id);
        message.put("application_id", appId);
        message.put("application_name", "it");
        message.put("environment", "test");
        message.put("humanized_description", title);
        message.put("url", "https://my.sqreen.com/application/" + appId + "/events/" + id);
        message.put("ips", List.of(Map.of("address", "10.0.0.1")));
        return securityEventV2(message, "2026-11-24T10:00:00+00:00");
    }

    /** A v2 {@code security_event} envelope around {@code message}, as Sqreen sends it (its {@code message_id} null). */
    static String securityEventV2(Map<String, Object> message, String dateCreated) throws Exception {
        Map<String, Object> envelope = new HashMap<>();
        envelope.put("message_id", null);
        envelope.put("api_version", "2");
        envelope.put("date_created", dateCreated);
        envelope.put("message_type", "security_event");
        envelope.put("retry_count", 0);
        envelope.put("message", message);
        return JSON.writeValueAsString(envelope);
    }

    /** The key of an event that {@link #event} made for application {@code it-app}. */
    static String keyOf(String id) {
        return "it-app:security_event:id-" + id;
    }

    static List<SqreenEvent> events(String body) throws Exception {
        JsonNode node = JSON.readTree(body);
        List<SqreenEvent> events = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(e -> events.add(SqreenEvents.normalize(e)));
        } else {
            events.add(SqreenEvents.normalize(node));
        }
        return events;
    }

    static Set<String> keysPostedTo(StubHttpServer server) {
        return server.requests().stream().map(r -> r.header("X-Relay-Event-Key")).collect(Collectors.toSet());
    }

    List<MimeMessage> mailsTo(String address) throws Exception {
        var user = smtp.getUserManager().getUserByEmail(address);
        if (user == null) {
            return List.of();
        }
        return smtp.getManagers().getImapHostManager().getInbox(user).getMessages().stream()
                .map(stored -> stored.getMimeMessage()).toList();
    }

    List<MimeMessage> mailsContaining(String marker) {
        return java.util.Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
            try {
                return m.getSubject().contains(marker);
            } catch (Exception e) {
                return false;
            }
        }).toList();
    }

    static Map<String, String> form(Request request) {
        Map<String, String> form = new HashMap<>();
        for (String pair : request.body().split("&")) {
            String[] parts = pair.split("=", 2);
            form.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
        }
        return form;
    }

    static String slackText(Request request) {
        try {
            return JSON.readTree(request.body()).get("text").asText();
        } catch (Exception e) {
            throw new AssertionError("Slack got a body that is not JSON: " + request.body(), e);
        }
    }

    HttpResponse<String> admin(String method, String path) throws Exception {
        return relay.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.port() + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    JsonNode deadLetters() throws Exception {
        HttpResponse<String> response = admin("GET", "/admin/dead-letters");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    List<String> deadLetterKeys(String target) throws Exception {
        HttpResponse<String> response = admin("GET", "/admin/dead-letters/" + target);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> keys = new ArrayList<>();
        JSON.readTree(response.body()).get("events").forEach(e -> keys.add(e.get("key").asText()));
        return keys;
    }

    JsonNode entry(String target, String key) throws Exception {
        HttpResponse<String> response = admin("GET", "/admin/dead-letters/" + target);
        for (JsonNode event : JSON.readTree(response.body()).get("events")) {
            if (event.get("key").asText().equals(key)) {
                return event;
            }
        }
        throw new AssertionError("no dead letter " + key + " for " + target + ": " + response.body());
    }

    /**
     * Lets anything that should not happen have the time to happen: a second delivery would come within the retry
     * delays (at most 1 s here), so waiting twice that shows there is none.
     */
    static void settle() throws InterruptedException {
        Thread.sleep(2500);
    }

    /** An extra target added by one YAML file: an instance of the delivery template, and its send route. */
    static String auditTargetYaml(URI url) {
        return """
                # an audit copy of every event, POSTed to a second HTTP endpoint: added by this file alone
                - templatedRoute:
                    routeTemplateRef: deliver-to-target
                    routeId: deliver-audit
                    parameters:
                      - name: target
                        value: audit
                      - name: send
                        value: direct:send-audit
                - route:
                    id: send-audit
                    from:
                      uri: direct:send-audit
                      steps:
                        - setHeader:
                            name: X-Relay-Event-Key
                            simple: "${exchangeProperty.relayEvent.key}"
                        - setHeader:
                            name: CamelHttpUri
                            constant: "%s"
                        - setHeader:
                            name: Content-Type
                            constant: application/json
                        - setBody:
                            simple: "${exchangeProperty.relayEvent.source}"
                        - to:
                            uri: "http:audit"
                            parameters:
                              httpMethod: POST
                              responseTimeout: 2000
                """.formatted(url);
    }
}
