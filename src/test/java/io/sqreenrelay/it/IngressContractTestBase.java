package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sqreenrelay.Vectors;
import io.sqreenrelay.Vectors.Vector;
import io.sqreenrelay.event.SqreenEvents;
import io.sqreenrelay.ingress.WebhookSignature;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every row of the SPEC's ingress status table, against a running relay. Subclasses choose the broker.
 * The relay knows every vector's secret (comma-separated, as during a key rotation) plus {@link #KEY}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IngressContractTestBase {

    static final String KEY = "it-key-" + UUID.randomUUID();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    TestBroker broker;
    RelayUnderTest relay;

    abstract TestBroker newBroker();

    @BeforeAll
    void startRelay() throws Exception {
        broker = newBroker();
        Set<String> secrets = new LinkedHashSet<>();
        secrets.add(KEY);
        Vectors.all().forEach(v -> secrets.add(v.secret()));
        Path data = Files.createTempDirectory("relay-it-data");
        relay = RelayUnderTest.start(broker, data, Map.of(
                "relay.signature-key", String.join(",", secrets),
                "relay.max-body-size", String.valueOf(64 * 1024)));
    }

    @AfterAll
    void stopRelay() throws Exception {
        if (relay != null) {
            relay.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---- 405

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH"})
    void aMethodOtherThanPostIs405(String method) throws Exception {
        HttpResponse<String> response = relay.send(HttpRequest.newBuilder(relay.webhook())
                .method(method, HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertJsonError(response);
    }

    // ---- 413

    @Test
    void aDeclaredBodyOverTheLimitIs413BeforeItIsSent() throws Exception {
        // only the headers are sent: the answer comes without the relay waiting for the 100 MB body
        assertThat(RawHttp.announceBody(relay.port(), 100_000_000L)).startsWith("HTTP/1.1 413");
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws Exception {
        // issue 12, fault 11: the same JSON 413 as for a declared length, with the security headers
        String answer = RawHttp.chunked(relay.port(), 1_000_000L);
        assertThat(answer).startsWith("HTTP/1.1 413");
        String[] headAndBody = answer.split("\r\n\r\n", 2);
        assertThat(headAndBody[0].toLowerCase(java.util.Locale.ROOT)).contains("content-type: application/json",
                "x-content-type-options: nosniff", "x-frame-options: deny", "cache-control: no-store");
        assertThat(MAPPER.readTree(headAndBody[1]).path("error").asText()).isEqualTo("request body too large");
    }

    @Test
    void aSignedBodyOverTheLimitIs413NotAccepted() throws Exception {
        byte[] big = ("[" + "{\"sqreen_payload_type\":\"test\"},".repeat(3000) + "{}]").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = relay.postSigned(KEY, big);
        assertThat(response.statusCode()).isEqualTo(413);
        assertJsonError(response);
    }

    // ---- 401

    // ---- headers are headers (issue 12, fault 8): a query parameter never stands in for one

    @Test
    void aSignatureInTheQueryStringIsNoSignature() throws Exception {
        byte[] body = freshEvents(1);
        String signature = WebhookSignature.sign(KEY, body);
        assertUnauthorized(HttpRequest.newBuilder(java.net.URI.create(relay.webhook() + "?X-Sqreen-Integrity=" + signature))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertUnauthorized(HttpRequest.newBuilder(java.net.URI.create(relay.webhook() + "?x-sqreen-integrity=" + signature))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Sqreen-Integrity=x", "Content-Type=text/plain", "content-type=text%2Fplain",
            "Content-Type=text/plain&X-Sqreen-Integrity=00&Authorization=Bearer%20x"})
    void queryParametersNamedLikeHeadersAreIgnoredOnASignedRequest(String query) throws Exception {
        byte[] body = freshEvents(1);
        HttpResponse<String> response = relay.send(HttpRequest.newBuilder(java.net.URI.create(relay.webhook() + "?" + query))
                .header("Content-Type", "application/json")
                .header("X-Sqreen-Integrity", WebhookSignature.sign(KEY, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response)).containsEntry("accepted", 1);
    }

    @Test
    void aJsonContentTypeInTheQueryDoesNotCoverATextOne() throws Exception {
        byte[] body = freshEvents(1);
        HttpResponse<String> response = relay.send(HttpRequest.newBuilder(
                        java.net.URI.create(relay.webhook() + "?Content-Type=application/json"))
                .header("Content-Type", "text/plain")
                .header("X-Sqreen-Integrity", WebhookSignature.sign(KEY, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(response.statusCode()).isEqualTo(415);
    }

    // ---- not UTF-8 (issue 12, fault 6): 422, never a 500

    @Test
    void aSignedBodyThatIsNotUtf8Is422() throws Exception {
        String event = "[{\"sqreen_payload_type\":\"test\"}]";
        for (byte[] bad : List.of(surrogateInTitle(), event.getBytes(StandardCharsets.UTF_16LE),
                event.getBytes(java.nio.charset.Charset.forName("UTF-32BE")),
                new byte[] {'[', '{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}', ']'})) {
            HttpResponse<String> response = relay.postSigned(KEY, bad);
            assertThat(response.statusCode()).isEqualTo(422);
            assertJsonError(response);
        }
        assertThat(relay.postSigned(KEY, surrogateInTitle()).body()).isEqualTo("{\"error\": \"body is not valid UTF-8\"}");
    }

    /** The reported input: a signed body whose title holds ED A0 80, a UTF-8-encoded surrogate. */
    static byte[] surrogateInTitle() {
        byte[] head = "[{\"sqreen_payload_type\":\"test\",\"humanized_title\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"}]".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + 3 + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        body[head.length] = (byte) 0xED;
        body[head.length + 1] = (byte) 0xA0;
        body[head.length + 2] = (byte) 0x80;
        System.arraycopy(tail, 0, body, head.length + 3, tail.length);
        return body;
    }

    // ---- a lossless event key (issue 12, fault 7)

    @Test
    void idLessEventsThatDifferOnlyInTheLastDigitOfANumberAreTwoEvents() throws Exception {
        String run = UUID.randomUUID().toString();
        String event = "{\"sqreen_payload_type\":\"pulse\",\"application_id\":\"it-app\",\"run\":\"" + run
                + "\",\"ts\": %s}";
        byte[] body = ("[" + event.formatted("1600000000.1234567") + "," + event.formatted("1600000000.1234568") + "]")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(json(relay.postSigned(KEY, body))).containsEntry("accepted", 2).containsEntry("duplicates", 0);
        // and a resend of the same two is two duplicates
        assertThat(json(relay.postSigned(KEY, body))).containsEntry("accepted", 0).containsEntry("duplicates", 2);
    }

    @Test
    void aMissingSignatureIs401() throws Exception {
        assertUnauthorized(HttpRequest.newBuilder(relay.webhook()).header("Content-Type", "application/json"));
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "nothex", "sha256=abc", "0123456789abcdef"})
    void anEmptyOrMalformedSignatureIs401(String header) throws Exception {
        assertUnauthorized(HttpRequest.newBuilder(relay.webhook()).header("X-Sqreen-Integrity", header));
    }

    @Test
    void aWrongSignatureIs401() throws Exception {
        byte[] body = Vectors.named("v2_test").bytes();
        assertUnauthorized(HttpRequest.newBuilder(relay.webhook())
                .header("X-Sqreen-Integrity", WebhookSignature.sign("not-a-configured-key", body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    @Test
    void aSignatureOfAnotherBodyIs401() throws Exception {
        Vector a = Vectors.named("v2_test");
        Vector b = Vectors.named("v2_security_event");
        assertUnauthorized(HttpRequest.newBuilder(relay.webhook())
                .header("X-Sqreen-Integrity", a.signature())
                .POST(HttpRequest.BodyPublishers.ofString(b.body())));
    }

    @Test
    void theSignatureIsCheckedBeforeTheContentType() throws Exception {
        assertUnauthorized(HttpRequest.newBuilder(relay.webhook())
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));
    }

    private void assertUnauthorized(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = relay.send(request.POST(HttpRequest.BodyPublishers.ofString("[]")));
        assertThat(response.statusCode()).isEqualTo(401);
        assertJsonError(response);
    }

    // ---- 415

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/xml", "text/html; charset=utf-8"})
    void aSignedBodyWithANonJsonContentTypeIs415(String contentType) throws Exception {
        byte[] body = Vectors.named("v2_test").bytes();
        HttpResponse<String> response = relay.send(HttpRequest.newBuilder(relay.webhook())
                .header("Content-Type", contentType)
                .header("X-Sqreen-Integrity", WebhookSignature.sign(KEY, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(response.statusCode()).isEqualTo(415);
        assertJsonError(response);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"a\":1}]", "x=1&y=2", "%00=%0d%0a"})
    void aFormEncodedBodyIs415NeverA500EvenWhenItsFieldNamesAreNoHeaderNames(String body) throws Exception {
        HttpResponse<String> response = relay.send(HttpRequest.newBuilder(relay.webhook())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Sqreen-Integrity", WebhookSignature.sign(KEY, body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(response.statusCode()).isEqualTo(415);
        assertJsonError(response);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json; charset=utf-8", "application/vnd.sqreen+json"})
    void jsonContentTypesWithParametersOrSuffixesAreAccepted(String contentType) throws Exception {
        byte[] body = freshEvents(1);
        HttpResponse<String> response = relay.send(HttpRequest.newBuilder(relay.webhook())
                .header("Content-Type", contentType)
                .header("X-Sqreen-Integrity", WebhookSignature.sign(KEY, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void noContentTypeAtAllIsAccepted() throws Exception {
        byte[] body = freshEvents(1);
        HttpResponse<String> response = relay.send(HttpRequest.newBuilder(relay.webhook())
                .header("X-Sqreen-Integrity", WebhookSignature.sign(KEY, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(response.statusCode()).isEqualTo(200);
    }

    // ---- 422

    @ParameterizedTest
    @ValueSource(strings = {"not json", "42", "{}", "{\"id\": \"1111\"}", "[1, 2]", "[{\"sqreen_payload_type\":\"test\"}, \"x\"]",
            "[{\"sqreen_payload_type\":\"test\"}", "[] []", "null"})
    void aSignedBodyThatIsNotAnEventArrayIs422AndNothingIsStored(String body) throws Exception {
        HttpResponse<String> response = relay.postSigned(KEY, body.getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(422);
        assertJsonError(response);
    }

    @Test
    void aRequestWithOneBadElementStoresNoneOfTheOthers() throws Exception {
        String id = UUID.randomUUID().toString();
        String body = "[{\"sqreen_payload_type\":\"test\",\"id\":\"" + id + "\"}, 7]";
        assertThat(relay.postSigned(KEY, body.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(422);
        // the same good event alone is then new: nothing of the refused request was stored or remembered
        String good = "[{\"sqreen_payload_type\":\"test\",\"id\":\"" + id + "\"}]";
        HttpResponse<String> response = relay.postSigned(KEY, good.getBytes(StandardCharsets.UTF_8));
        assertThat(json(response)).isEqualTo(Map.of("accepted", 1, "duplicates", 0));
    }

    // ---- 200 and the vectors

    static List<Vector> vectors() {
        return Vectors.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void eachRealVectorPostedRawIsAnsweredAsTheSpecSays(Vector v) throws Exception {
        // the vectors' keys are fixed, and notifications.log is shared by every relay of the suite (and of an earlier
        // run without a clean): lines already there would pass a bare "logged" check for a relay that logged nothing
        Map<String, Integer> linesBefore = new HashMap<>();
        if (v.acceptable()) {
            for (String key : keysIn(v.body())) {
                linesBefore.put(key, NotificationLog.linesFor(key).size());
            }
        }
        HttpResponse<String> response = relay.send(HttpRequest.newBuilder(relay.webhook())
                .header("Content-Type", "application/json")
                .header("X-Sqreen-Integrity", v.signature())
                .POST(HttpRequest.BodyPublishers.ofString(v.body())));
        if (!v.acceptable()) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
            return;
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Object> counts = json(response);
        int events = eventsIn(v.body());
        assertThat((Integer) counts.get("accepted") + (Integer) counts.get("duplicates")).isEqualTo(events);
        boolean allNew = counts.get("accepted").equals(events);
        for (String key : keysIn(v.body())) {
            if (allNew) {   // every event stored by this relay now: each key gets a line of its own
                await().atMost(Duration.ofSeconds(30)).until(() -> NotificationLog.linesFor(key).size() > linesBefore.get(key));
            } else {        // an event this relay had already (another vector): which one, the answer does not say
                assertThat(NotificationLog.awaitLogged(key)).isNotEmpty();
            }
        }
    }

    @Test
    void everyEventOfAnAcceptedRequestReachesTheLogTargetOnce() throws Exception {
        byte[] body = freshEvents(25);
        HttpResponse<String> response = relay.postSigned(KEY, body);
        assertThat(json(response)).isEqualTo(Map.of("accepted", 25, "duplicates", 0));
        for (String key : keysIn(new String(body, StandardCharsets.UTF_8))) {
            NotificationLog.awaitLogged(key);
        }
        for (String key : keysIn(new String(body, StandardCharsets.UTF_8))) {
            assertThat(NotificationLog.linesFor(key)).hasSize(1);
        }
    }

    @Test
    void anEmptyArrayIsAcceptedWithNothingToStore() throws Exception {
        HttpResponse<String> response = relay.postSigned(KEY, "[]".getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(Map.of("accepted", 0, "duplicates", 0));
    }

    @Test
    void aResentRequestIsCountedAsDuplicatesAndNotDeliveredAgain() throws Exception {
        byte[] body = freshEvents(3);
        assertThat(json(relay.postSigned(KEY, body))).isEqualTo(Map.of("accepted", 3, "duplicates", 0));
        List<String> keys = keysIn(new String(body, StandardCharsets.UTF_8));
        keys.forEach(NotificationLog::awaitLogged);
        assertThat(json(relay.postSigned(KEY, body))).isEqualTo(Map.of("accepted", 0, "duplicates", 3));
        // a retry of Sqreen changes retry_count and date_created: still the same events
        String retried = new String(body, StandardCharsets.UTF_8).replace("\"retry_count\":0", "\"retry_count\":1");
        assertThat(json(relay.postSigned(KEY, retried.getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(Map.of("accepted", 0, "duplicates", 3));
        // a request mixing old and new events stores only the new one
        String fresh = event(UUID.randomUUID());
        String mixed = new String(body, StandardCharsets.UTF_8).replaceFirst("]$", "," + fresh + "]");
        assertThat(json(relay.postSigned(KEY, mixed.getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(Map.of("accepted", 1, "duplicates", 3));
        // the log target's one consumer reads its queue in order: once the new event is logged, anything the
        // resends might have stored before it has been logged too
        NotificationLog.awaitLogged(keysIn(fresh).get(0));
        keys.forEach(key -> assertThat(NotificationLog.linesFor(key)).as(key).hasSize(1));
    }

    @Test
    void theSameRequestPostedManyTimesAtOnceIsStoredOnce() throws Exception {
        // Sqreen resends a request it got no answer for in time, while the first may still wait for the broker
        int copies = 8;
        byte[] body = freshEvents(20);
        String resend = new String(body, StandardCharsets.UTF_8).replace("\"retry_count\":0", "\"retry_count\":1");
        ExecutorService clients = Executors.newFixedThreadPool(copies);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                byte[] copy = i % 2 == 0 ? body : resend.getBytes(StandardCharsets.UTF_8);
                answers.add(clients.submit(() -> {
                    go.await();
                    return relay.postSigned(KEY, copy);
                }));
            }
            go.countDown();
            int accepted = 0;
            int duplicates = 0;
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                accepted += ((Number) json(response).get("accepted")).intValue();
                duplicates += ((Number) json(response).get("duplicates")).intValue();
            }
            assertThat(accepted).as("each event stored by one request only").isEqualTo(20);
            assertThat(duplicates).isEqualTo(20 * (copies - 1));
            keysIn(new String(body, StandardCharsets.UTF_8)).forEach(NotificationLog::awaitLogged);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void theSameEventTwiceInOneRequestIsStoredOnce() throws Exception {
        String one = event(UUID.randomUUID());
        HttpResponse<String> response = relay.postSigned(KEY, ("[" + one + "," + one + "]").getBytes(StandardCharsets.UTF_8));
        assertThat(json(response)).isEqualTo(Map.of("accepted", 1, "duplicates", 1));
    }

    @Test
    void aSingleEventObjectCountsAsAnArrayOfOne() throws Exception {
        HttpResponse<String> response = relay.postSigned(KEY, event(UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        assertThat(json(response)).isEqualTo(Map.of("accepted", 1, "duplicates", 0));
    }

    // ---- what every answer looks like

    @Test
    void answersCarrySecurityHeadersAndNeverEchoInboundHeaders() throws Exception {
        byte[] body = freshEvents(1);
        for (HttpRequest.Builder request : List.of(
                HttpRequest.newBuilder(relay.webhook()).header("X-Sqreen-Integrity", WebhookSignature.sign(KEY, body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
                HttpRequest.newBuilder(relay.webhook()).POST(HttpRequest.BodyPublishers.ofString("[]")),
                HttpRequest.newBuilder(relay.webhook()).header("X-Sqreen-Integrity", WebhookSignature.sign(KEY, new byte[] {'x'}))
                        .POST(HttpRequest.BodyPublishers.ofString("x")))) {
            HttpResponse<String> response = relay.send(request
                    .header("X-Evil", "echo-me")
                    .header("Subject", "injected"));
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(response.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("X-Evil") || h.equalsIgnoreCase("Subject")
                    || h.equalsIgnoreCase("X-Sqreen-Integrity"));
        }
    }

    // ---- helpers

    static void assertJsonError(HttpResponse<String> response) throws Exception {
        JsonNode body = MAPPER.readTree(response.body());
        assertThat(body.path("error").isTextual()).as(response.body()).isTrue();
        assertThat(body.size()).isEqualTo(1);
        assertThat(response.body()).doesNotContain("Exception", "\tat ", KEY);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return MAPPER.readValue(response.body(), HashMap.class);
    }

    static String event(UUID id) {
        return "{\"message_id\":null,\"api_version\":\"2\",\"date_created\":\"2026-11-24T10:00:00+00:00\","
                + "\"message_type\":\"security_event\",\"retry_count\":0,\"message\":{\"event_id\":\"" + id + "\","
                + "\"application_id\":\"it-app\",\"application_name\":\"it\",\"environment\":\"test\","
                + "\"humanized_description\":\"Attack from 10.0.0.1\",\"ips\":[{\"address\":\"10.0.0.1\"}]}}";
    }

    /** A v2 array of {@code n} events never sent before. */
    static byte[] freshEvents(int n) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(event(UUID.randomUUID()));
        }
        return ("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8);
    }

    static List<String> keysIn(String body) throws Exception {
        JsonNode node = MAPPER.readTree(body);
        List<JsonNode> events = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(events::add);
        } else {
            events.add(node);
        }
        return events.stream().map(e -> SqreenEvents.normalize(e).key()).distinct().collect(Collectors.toList());
    }

    static int eventsIn(String body) throws Exception {
        JsonNode node = MAPPER.readTree(body);
        return node.isArray() ? node.size() : 1;
    }
}
