package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sqreenrelay.ingress.WebhookSignature;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input against a running relay (jqwik): random bodies and headers, signed or not, through a real HTTP client
 * and as raw bytes on a socket; wrong signatures on real events; clients that trickle their body. The relay never
 * fails, every answer is one of the SPEC's codes (or the HTTP layer's own 400/417/431 for what is not well-formed
 * HTTP), nothing
 * unsigned reaches a target, and slow clients are cut off without holding up anyone else.
 */
class HostileInputIT {

    private static final String KEY = "hostile-key-" + UUID.randomUUID();
    /** The SPEC's answers to a webhook request. */
    private static final Set<Integer> SPEC = Set.of(200, 401, 405, 413, 415, 422, 503);
    private static final Map<String, Integer> ANSWERS = new ConcurrentHashMap<>();
    private static RelayUnderTest relay;
    private static TestBroker broker;

    @BeforeContainer
    static void start() throws Exception {
        broker = TestBroker.embedded();
        relay = RelayUnderTest.start(broker, Files.createTempDirectory("relay-hostile"), Map.of(
                "relay.signature-key", KEY,
                "relay.max-body-size", "65536",
                "relay.body-timeout-ms", "2000"));
    }

    @AfterContainer
    static void stop() throws Exception {
        System.out.println("hostile input answers: " + new TreeMap<>(ANSWERS));
        relay.close();
        broker.close();
    }

    @Property(tries = 300)
    void anyBodyAndHeadersGetASpecAnswerAndOnlyAGoodSignatureGoesPastA401(
            @ForAll @Size(max = 70_000) byte[] body, @ForAll("signatures") String claimed,
            @ForAll("contentTypes") String contentType, @ForAll boolean signed) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(relay.webhook())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("X-Sqreen-Integrity", signed ? WebhookSignature.sign(KEY, body) : claimed);
        if (!contentType.isEmpty()) {
            request.header("Content-Type", contentType);
        }
        int status = count(relay.send(request).statusCode());
        assertThat(SPEC).contains(status);
        if (!signed && !claimed.equalsIgnoreCase(WebhookSignature.sign(KEY, body))) {
            assertThat(status).as("unsigned").isIn(401, 413, 415);
        }
        if (body.length > 65_536) {
            assertThat(status).isEqualTo(413);
        }
    }

    @Property(tries = 200)
    void rawRequestsWithHostileHeadersNeverBreakTheRelay(@ForAll("rawRequests") byte[] request) throws Exception {
        String statusLine = RawHttp.exchange(relay.port(), request);
        boolean webhook = new String(request, StandardCharsets.UTF_8).matches("(?s)\\S+ /v1/webhook(\\?x=1)? .*");
        count(statusLine.isEmpty() ? "closed" : statusLine.split(" ")[1]);
        if (!statusLine.isEmpty()) {
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            // the SPEC's codes, or the HTTP layer's own for what is not a well-formed request: 400 (malformed),
            // 417 (an Expect it does not know), 431 (headers over 8 KiB)
            assertThat(status).as(statusLine).isIn(200, 400, 401, 405, 413, 415, 417, 422, 431, 503, webhook ? 400 : 404);
        }
        assertThat(relay.observe("/observe/health/live").statusCode()).isEqualTo(200);
    }

    @Example
    void eventsWithAWrongSignatureNeverReachATarget() throws Exception {
        String marker = "unsigned-" + UUID.randomUUID();
        byte[] body = IngressContractTestBase.event(UUID.randomUUID()).replace("Attack from", marker)
                .getBytes(StandardCharsets.UTF_8);
        byte[] array = ("[" + new String(body, StandardCharsets.UTF_8) + "]").getBytes(StandardCharsets.UTF_8);
        String good = WebhookSignature.sign(KEY, array);
        List<String> wrong = new ArrayList<>(List.of("", " ", "0".repeat(64), good.substring(1), good + "0",
                "sha256=" + good, WebhookSignature.sign(KEY + "x", array), WebhookSignature.sign(KEY, body),
                WebhookSignature.sign(KEY, new byte[0]), "\u0000" + good, good.substring(0, 63) + "g"));
        // (no "good with every a made b": a signature without an 'a' ((15/16)^64, about one run in 60) stayed good, was
        // answered 200 and failed this test in CI; the one-digit-off variants below change a digit every time)
        for (int i = 0; i < 64; i++) {    // one digit off, at every position
            char c = good.charAt(i);
            wrong.add(good.substring(0, i) + (c == 'f' ? 'e' : 'f') + good.substring(i + 1));
        }
        for (String signature : wrong) {
            HttpRequest.Builder request = HttpRequest.newBuilder(relay.webhook())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(array));
            if (!signature.isEmpty() && signature.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
                request.header("X-Sqreen-Integrity", signature);
            }
            assertThat(count(relay.send(request).statusCode())).as(signature).isEqualTo(401);
        }
        // a signed event after them: once it is logged, anything before it would have been too
        byte[] sentinel = IngressContractTestBase.freshEvents(1);
        assertThat(relay.postSigned(KEY, sentinel).statusCode()).isEqualTo(200);
        NotificationLog.awaitLogged(IngressContractTestBase.keysIn(new String(sentinel, StandardCharsets.UTF_8)).get(0));
        assertThat(NotificationLog.lines()).noneMatch(line -> line.contains(marker));
        System.out.println(wrong.size() + " wrong signatures on a real event: all 401, none dispatched");
    }

    @Example
    void clientsThatTrickleTheirBodyAreCutOffWithoutHoldingUpOthers() throws Exception {
        int slow = 100;
        List<RawHttp.SlowClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < slow; i++) {
                clients.add(new RawHttp.SlowClient(relay.port(), 60_000));
            }
            // while they trickle, a normal request is answered
            for (RawHttp.SlowClient client : clients) {
                client.trickle();
            }
            HttpResponse<String> normal = relay.postSigned(KEY, IngressContractTestBase.freshEvents(3));
            assertThat(normal.statusCode()).isEqualTo(200);
            // past the body time-out each of them is answered 408 and disconnected
            long trickling = clients.size();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (trickling > 0 && System.nanoTime() < deadline) {
                trickling = clients.stream().filter(RawHttp.SlowClient::trickle).count();
                Thread.sleep(200);
            }
            assertThat(trickling).as("slow clients still connected").isZero();
            Map<String, Integer> answers = new TreeMap<>();
            for (RawHttp.SlowClient client : clients) {
                answers.merge(client.answer(), 1, Integer::sum);
            }
            System.out.println(slow + " slow clients: " + answers);
            assertThat(answers.keySet()).allMatch(line -> line.isEmpty() || line.startsWith("HTTP/1.1 408"));
            assertThat(answers.getOrDefault("HTTP/1.1 408 Request Timeout", 0)).isGreaterThan(0);
            assertThat(relay.postSigned(KEY, IngressContractTestBase.freshEvents(1)).statusCode()).isEqualTo(200);
        } finally {
            for (RawHttp.SlowClient client : clients) {
                client.close();
            }
        }
    }

    @Provide
    Arbitrary<String> signatures() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('0', '9').withCharRange('a', 'f').ofLength(64),
                Arbitraries.strings().withCharRange((char) 0x20, (char) 0x7e).ofMaxLength(200),
                Arbitraries.strings().withChars('0', 'f').ofMinLength(1000).ofMaxLength(6000));
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.of("", "application/json", "application/json; charset=utf-8", "application/vnd.x+json",
                "text/plain", "application/xml", "*/*", "APPLICATION/JSON", "application/jsonx", "multipart/x");
    }

    /** Request lines and headers an attacker may send: odd methods and paths, control characters, huge headers. */
    @Provide
    Arbitrary<byte[]> rawRequests() {
        Arbitrary<String> method = Arbitraries.of("POST", "GET", "PUT", "DELETE", "OPTIONS", "TRACE", "POST\u0000", "P0ST");
        Arbitrary<String> path = Arbitraries.of("/v1/webhook", "/v1/webhook?x=1", "/v1/../v1/webhook", "//v1/webhook",
                "/v1/webhook%00", "/v1/webhook/", "*");
        Arbitrary<String> headerValue = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(100),
                Arbitraries.strings().alpha().ofMinLength(5_000).ofMaxLength(20_000));
        Arbitrary<String> headers = Arbitraries.of("X-Sqreen-Integrity", "Content-Type", "Content-Length",
                        "Transfer-Encoding", "Host", "X-Forwarded-For", "Connection", "Expect")
                .flatMap(name -> headerValue.map(value -> name + ": " + value + "\r\n"))
                .list().ofMaxSize(6).map(list -> String.join("", list));
        Arbitrary<String> body = Arbitraries.strings().all().ofMaxLength(200);
        return net.jqwik.api.Combinators.combine(method, path, headers, body).as((m, p, h, b) ->
                (m + " " + p + " HTTP/1.1\r\nHost: localhost\r\n" + h + "Content-Length: "
                        + b.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + b).getBytes(StandardCharsets.UTF_8));
    }

    private static int count(int status) {
        count(String.valueOf(status));
        return status;
    }

    private static void count(String answer) {
        ANSWERS.merge(answer, 1, Integer::sum);
    }
}
