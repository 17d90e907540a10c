package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sqreenrelay.it.StubHttpServer.Request;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Ops shape the alert flow in YAML (issue 15), on RabbitMQ against real HTTP stand-ins: targets added from a routes
 * folder with a routing rule ({@code when}) get only the events it matches, the others counted as filtered; PagerDuty
 * and Teams receive the SPEC's payloads for v1 and v2 events, internal and not, hostile text included; the HTTP
 * target's Standard Webhooks signature verifies with an implementation written here from the specification; a target
 * that is off has no queue; a routing rule with a syntax error is refused when its file is loaded.
 */
class RoutingRulesIT {

    private static final String KEY = "routing-key-" + UUID.randomUUID();
    private static final String OWN_APP = "own-app-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String ROUTING_KEY = "R0UT1NGKEY" + UUID.randomUUID().toString().replace("-", "");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(40);
    private static final String HOSTILE = "**Bold** _x_ [click](javascript:alert(1)) <at>Ops</at> `c`\r\n# head | a > b ~~s~~";

    @Test
    void rulesRouteEventsAndTheShippedJsonTargetsGetTheirPayloads() throws Exception {
        byte[] secretBytes = new byte[24];
        new SecureRandom().nextBytes(secretBytes);
        String whsec = "whsec_" + Base64.getEncoder().encodeToString(secretBytes);
        Path data = Files.createTempDirectory("relay-it-routing");
        Path routes = copyOfTheRoutes(data);
        try (TestBroker.RabbitVhost broker = TestBroker.rabbitMq();
             StubHttpServer pagerDuty = new StubHttpServer(202);
             StubHttpServer teams = new StubHttpServer(200);
             StubHttpServer http = new StubHttpServer(200);
             StubHttpServer production = new StubHttpServer(200);
             StubHttpServer alerts = new StubHttpServer(200)) {
            Files.writeString(routes.resolve("target-production.yaml"), ruleTarget("production",
                    "${exchangeProperty.relayEvent.environment} == 'production'", production));
            Files.writeString(routes.resolve("target-alerts.yaml"), ruleTarget("alerts",
                    "${exchangeProperty.relayEvent.internal}", alerts));
            Map<String, String> settings = new HashMap<>();
            settings.put("relay.routes-dir", routes.toString());
            settings.put("relay.signature-key", KEY);
            settings.put("relay.application-id", OWN_APP);
            settings.put("relay.pagerduty.routing-key", ROUTING_KEY);
            settings.put("relay.pagerduty.api-url", pagerDuty.url("").toString());
            settings.put("relay.teams.webhook-url", teams.url("/webhookb2/abc?sig=x+y%2Fz").toString());
            settings.put("relay.http-target.url", http.url("/hook").toString());
            settings.put("relay.http-target.secret", whsec);
            try (RelayUnderTest relay = RelayUnderTest.start(broker, data, settings)) {
                // v1 and v2, internal and not, production and not, one with hostile text
                String id = UUID.randomUUID().toString();
                List<String> events = List.of(
                        v2(id + "-1", "ext-app", "production", "SQL injection on /login", null),
                        v2(id + "-2", OWN_APP, "staging", "Account takeover attempt", 25),
                        v1(id + "-3", "ext-app", "test", "Pulse " + id, 50),
                        v1(id + "-4", OWN_APP, "production", HOSTILE, null));
                byte[] body = ("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8);
                assertThat(relay.postSigned(KEY, body).body()).isEqualTo("{\"accepted\": 4, \"duplicates\": 0}");
                List<JsonNode> sent = events.stream().map(RoutingRulesIT::tree).toList();
                List<String> keys = events.stream().map(e -> io.sqreenrelay.event.SqreenEvents.normalize(tree(e)).key()).toList();

                await().atMost(PATIENCE).untilAsserted(() -> {
                    assertThat(pagerDuty.requests()).hasSize(4);
                    assertThat(teams.requests()).hasSize(4);
                    assertThat(http.requests()).hasSize(4);
                    assertThat(keysAt(production)).containsExactlyInAnyOrder(keys.get(0), keys.get(3));
                    assertThat(keysAt(alerts)).containsExactlyInAnyOrder(keys.get(1), keys.get(3));
                });
                // the others were acknowledged and counted as filtered, never dead-lettered (awaited: the stub holds
                // a request before the relay has its answer and counts the delivery; read at once, the last
                // delivery to alerts could still be uncounted)
                await().atMost(PATIENCE).untilAsserted(() -> {
                    String metrics = relay.observe("/observe/metrics").body();
                    assertThat(sample(metrics, "filtered", "production")).isEqualTo(2);
                    assertThat(sample(metrics, "filtered", "alerts")).isEqualTo(2);
                    assertThat(sample(metrics, "delivered", "alerts")).isEqualTo(2);
                    assertThat(sample(metrics, "filtered", "pagerduty")).isZero();
                });
                TargetsContractTestBase.settle();
                assertThat(production.requests()).hasSize(2);
                assertThat(alerts.requests()).hasSize(2);

                // PagerDuty: exactly the SPEC's payload, one per event
                for (int i = 0; i < 4; i++) {
                    String key = keys.get(i);
                    Request request = pagerDuty.requests().stream()
                            .filter(r -> tree(r.body()).path("dedup_key").asText().equals(key)).findFirst().orElseThrow();
                    assertThat(request.path()).isEqualTo("/v2/enqueue");
                    assertThat(request.header("Content-Type")).startsWith("application/json");
                    ObjectNode got = (ObjectNode) tree(request.body());
                    String timestamp = ((ObjectNode) got.get("payload")).remove("timestamp").asText();
                    assertThat(Instant.parse(timestamp)).isBetween(Instant.now().minusSeconds(120), Instant.now());
                    assertThat(got).as(request.body()).isEqualTo(pagerDutyEvent(sent.get(i), key, i % 2 == 1));
                }
                // Teams: one Adaptive Card per event, markdown escaped
                for (int i = 0; i < 4; i++) {
                    String title = view(sent.get(i)).get("title").asText();
                    Request request = teams.requests().stream()
                            .filter(r -> r.body().contains(markdownEscaped(title).replace("\\", "\\\\"))).findFirst()
                            .orElseThrow(() -> new AssertionError("no card for " + title + " in " + teams.requests()));
                    assertThat(request.path()).isEqualTo("/webhookb2/abc");
                    assertThat(request.header("Content-Type")).startsWith("application/json");
                    assertThat(tree(request.body())).as(request.body()).isEqualTo(teamsCard(sent.get(i), i % 2 == 1));
                }
                assertThat(teams.requests().get(0).body()).doesNotContain("javascript:");

                // the HTTP target: Standard Webhooks, verified here from the specification
                for (Request request : http.requests()) {
                    String msgId = request.header("webhook-id");
                    String timestamp = request.header("webhook-timestamp");
                    assertThat(msgId).isEqualTo(request.header("X-Relay-Event-Key"));
                    assertThat(Long.parseLong(timestamp)).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(120L));
                    String expected = Base64.getEncoder().encodeToString(hmac(secretBytes,
                            (msgId + "." + timestamp + "." + request.body()).getBytes(StandardCharsets.UTF_8)));
                    assertThat(request.header("webhook-signature").split(" ")).contains("v1," + expected);
                    assertThat(request.header("X-Relay-Signature")).isEqualTo(java.util.HexFormat.of().formatHex(
                            hmac(whsec.getBytes(StandardCharsets.UTF_8), request.body().getBytes(StandardCharsets.UTF_8))));
                    assertThat(sent.stream().map(JsonNode::toString)).contains(tree(request.body()).toString());
                }

                // targets that are off (no SMTP_HOST, no SLACK_WEBHOOK_URL, no TWILIO_ACCOUNT_SID) have no queue
                Set<String> queues = broker.queues("name").stream().map(String::trim).collect(Collectors.toSet());
                assertThat(queues).contains("relay.target.log", "relay.target.http", "relay.target.pagerduty",
                        "relay.target.teams", "relay.target.production", "relay.target.alerts");
                assertThat(queues).doesNotContain("relay.target.email", "relay.target.admin-email", "relay.target.slack",
                        "relay.target.sms", "relay.target.admin-sms");
            }
        }
    }

    @Test
    void aRoutingRuleWithASyntaxErrorIsRefusedWhenItsFileIsLoaded() throws Exception {
        String brokenRule = "${exchangeProperty.relayEvent.environment == 'x'";
        // at start: no start, one line naming the route, its file and the error
        Path data = Files.createTempDirectory("relay-it-broken-rule");
        Path routes = copyOfTheRoutes(data);
        try (StubHttpServer target = new StubHttpServer(200)) {
            Files.writeString(routes.resolve("target-broken.yaml"), ruleTarget("broken", brokenRule, target));
            Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> RelayUnderTest.start(
                    TestBroker.embedded(), data, Map.of("relay.routes-dir", routes.toString(), "relay.signature-key", KEY))
                    .close());
            String line = io.sqreenrelay.RelayMain.cannotStart(refused, routes);
            System.out.println("A broken rule at start: sqreen-relay cannot start: " + line);
            assertThat(line).doesNotContain("\n").startsWith("route deliver-broken (" + routes.resolve("target-broken.yaml") + "): ")
                    .contains("SimpleParserException").endsWith(" in " + brokenRule);
        }

        // on a hot reload: Camel 4.17 reloads a file's routes but not its templatedRoute (RouteBuilder#updateRoutesToCamelContext
        // populates no templated routes), so the broken rule never reaches the running relay: it keeps its last good
        // routes and delivers on; the file is refused at the next start, as above
        Path reloadData = Files.createTempDirectory("relay-it-broken-reload");
        Path reloadRoutes = copyOfTheRoutes(reloadData);
        try (StubHttpServer target = new StubHttpServer(200);
             RelayUnderTest relay = RelayUnderTest.start(TestBroker.embedded(), reloadData, Map.of(
                     "relay.routes-dir", reloadRoutes.toString(), "relay.signature-key", KEY,
                     "camel.main.routes-reload-enabled", "true"))) {
            Files.writeString(reloadRoutes.resolve("target-later.yaml"), ruleTarget("later", brokenRule, target));
            await().atMost(PATIENCE).until(() -> relay.camel().getRoute("send-later") != null);
            assertThat(relay.camel().getRoute("deliver-later")).isNull();
            byte[] body = IngressContractTestBase.freshEvents(1);
            assertThat(relay.postSigned(KEY, body).statusCode()).isEqualTo(200);
            String key = IngressContractTestBase.keysIn(new String(body, StandardCharsets.UTF_8)).get(0);
            assertThat(NotificationLog.awaitLogged(key)).hasSize(1);
            assertThat(target.requests()).isEmpty();
        }
    }

    // ---- what the SPEC says each target gets, built here from the event as sent

    private static JsonNode pagerDutyEvent(JsonNode event, String key, boolean internal) {
        ObjectNode view = view(event);
        String summary = (internal ? "[INTERNAL SECURITY ALERT] " : "") + "Sqreen " + view.get("type").asText() + ": "
                + view.get("title").asText();
        ObjectNode expected = JSON.createObjectNode()
                .put("routing_key", ROUTING_KEY).put("event_action", "trigger").put("dedup_key", key);
        ObjectNode payload = expected.putObject("payload")
                .put("summary", summary.length() > 1024 ? summary.substring(0, 1024) : summary)
                .put("source", view.get("applicationName").asText())
                .put("severity", internal ? "critical" : "error");
        payload.set("custom_details", view);
        expected.putArray("links").addObject().put("href", view.get("link").asText()).put("text", "Open in Sqreen");
        return expected;
    }

    private static JsonNode teamsCard(JsonNode event, boolean internal) {
        ObjectNode view = view(event);
        ObjectNode card = JSON.createObjectNode();
        card.put("type", "message");
        ObjectNode content = card.putArray("attachments").addObject()
                .put("contentType", "application/vnd.microsoft.card.adaptive")
                .putObject("content").put("type", "AdaptiveCard").put("version", "1.4")
                .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        ArrayNode body = content.putArray("body");
        if (internal) {
            body.addObject().put("type", "TextBlock").put("text", "\\[INTERNAL SECURITY ALERT\\]")
                    .put("color", "Attention").put("weight", "Bolder");
        }
        body.addObject().put("type", "TextBlock").put("text", markdownEscaped(view.get("title").asText()))
                .put("size", "Medium").put("weight", "Bolder").put("wrap", true);
        ArrayNode facts = body.addObject().put("type", "FactSet").putArray("facts");
        facts.addObject().put("title", "Application").put("value", markdownEscaped(view.get("applicationName").asText()));
        facts.addObject().put("title", "Environment").put("value", markdownEscaped(view.get("environment").asText()));
        facts.addObject().put("title", "Type").put("value", markdownEscaped(view.get("type").asText()));
        ArrayNode actions = content.putArray("actions");
        String link = view.get("link").asText();
        if (link.startsWith("https://")) {
            actions.addObject().put("type", "Action.OpenUrl").put("title", "Open in Sqreen").put("url", link);
        }
        return card;
    }

    /** The normalized view of the test's events, as the SPEC names its fields (read here, not by the relay). */
    private static ObjectNode view(JsonNode event) {
        boolean v2 = event.has("message");
        JsonNode body = v2 ? event.get("message") : event;
        ObjectNode view = JSON.createObjectNode();
        view.put("type", v2 ? event.get("message_type").asText() : event.get("sqreen_payload_type").asText());
        view.put("title", body.get("humanized_title").asText());
        view.put("applicationId", body.get("application_id").asText());
        view.put("applicationName", body.get("application_name").asText());
        view.put("environment", body.get("environment").asText());
        view.put("date", body.get("date_occurred").asText());
        view.put("link", body.get("url").asText());
        view.putArray("ips").add(body.get("ips").get(0).get("address").asText());
        view.set("risk", body.has("risk") ? body.get("risk") : JSON.nullNode());
        return view;
    }

    /** Every character Teams' markdown gives a meaning, escaped with a backslash; line breaks as spaces. */
    private static String markdownEscaped(String text) {
        StringBuilder out = new StringBuilder();
        String flat = text.replaceAll("[\r\n]+", " ");
        for (char c : flat.toCharArray()) {
            if ("\\`*_{}[]()#+-.!|<>~".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    // ---- helpers

    private static String v2(String id, String app, String environment, String title, Integer risk) throws Exception {
        Map<String, Object> message = new HashMap<>(Map.of("event_id", id, "application_id", app,
                "application_name", "app " + app, "environment", environment, "humanized_title", title,
                "date_occurred", "2026-11-30T10:00:00.000000+00:00",
                "url", "https://my.sqreen.com/application/" + app + "/events/" + id,
                "ips", List.of(Map.of("address", "10.0.0.2"))));
        if (risk != null) {
            message.put("risk", risk);
        }
        return TargetsContractTestBase.securityEventV2(message, "2026-11-30T10:00:01+00:00");
    }

    private static String v1(String id, String app, String environment, String title, Integer risk) throws Exception {
        Map<String, Object> event = new HashMap<>(Map.of("sqreen_payload_type", "security_event", "id", id,
                "application_id", app, "application_name", "app " + app, "environment", environment,
                "humanized_title", title, "date_occurred", "2026-11-30T09:00:00Z",
                "url", (title.equals(HOSTILE) ? "javascript:alert(1)" : "https://my.sqreen.com/e/" + id),
                "ips", List.of(Map.of("address", "10.0.0.3"))));
        if (risk != null) {
            event.put("risk", risk);
        }
        return JSON.writeValueAsString(event);
    }

    /** A target added by one file: the events its rule matches are posted, as Sqreen sent them, to {@code server}. */
    private static String ruleTarget(String name, String when, StubHttpServer server) {
        return """
                - templatedRoute:
                    routeTemplateRef: deliver-to-target
                    routeId: deliver-%1$s
                    parameters:
                      - {name: target, value: %1$s}
                      - {name: when, value: "%2$s"}
                      - {name: send, value: direct:send-%1$s}
                - route:
                    id: send-%1$s
                    from:
                      uri: direct:send-%1$s
                      steps:
                        - setBody: {simple: "${exchangeProperty.relayEvent.source}"}
                        - setHeader: {name: X-Relay-Event-Key, simple: "${exchangeProperty.relayEvent.key}"}
                        - setHeader: {name: CamelHttpUri, constant: "%3$s"}
                        - to: direct:post-json
                """.formatted(name, when, server.url("/" + name));
    }

    private static Path copyOfTheRoutes(Path data) throws Exception {
        Path routes = Files.createDirectories(data.resolve("routes"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        return routes;
    }

    private static List<String> keysAt(StubHttpServer server) {
        return server.requests().stream().map(r -> r.header("X-Relay-Event-Key")).toList();
    }

    private static double sample(String metrics, String outcome, String target) {
        String sample = "sqreen_relay_deliveries_total{outcome=\"" + outcome + "\",target=\"" + target + "\"}";
        return metrics.lines().filter(line -> line.startsWith(sample + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(sample.length() + 1).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + sample));
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
