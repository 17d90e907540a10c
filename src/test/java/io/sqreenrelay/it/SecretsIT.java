package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.sqreenrelay.ingress.WebhookSignature;
import io.sqreenrelay.it.StubHttpServer.Answer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A full run of the packaged relay with every secret configured (signature key, SMTP password, Slack webhook URL,
 * Twilio token, HTTP target secret, admin token, RabbitMQ password), each one unique: events delivered, retried and
 * dead-lettered, bad requests, admin API calls with and without the token, metrics and health scraped, then a
 * SIGTERM. Afterwards every log file, the console, every answer body and header is searched for each secret.
 */
class SecretsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void noSecretAppearsInLogsMetricsErrorBodiesOrTheAdminApi() throws Exception {
        String suffix = UUID.randomUUID().toString().replace("-", "");
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("signature key", "sig-" + suffix);
        secrets.put("SMTP password", "smtp-" + suffix);
        secrets.put("Slack webhook path", "slack-" + suffix);
        secrets.put("Twilio token", "twilio-" + suffix);
        secrets.put("HTTP target secret", "hmac-" + suffix);
        secrets.put("admin token", "admin-" + suffix);
        secrets.put("RabbitMQ password", "amqp-" + suffix);
        String rabbitUser = "relay-secrets-" + suffix.substring(0, 8);
        Path work = Files.createTempDirectory("relay-secrets");
        GreenMail smtp = new GreenMail(new ServerSetup(RelayUnderTest.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.setUser("relay@example.test", "relay", secrets.get("SMTP password"));
        smtp.start();
        List<String> seen = new ArrayList<>();   // every answer the relay gave: status, headers and body
        try (TestBroker.RabbitVhost broker = TestBroker.rabbitMq();
             StubHttpServer slack = new StubHttpServer(200);
             StubHttpServer twilio = new StubHttpServer(401);
             StubHttpServer http = new StubHttpServer(400)) {
            TestBroker.rabbitmqctl("add_user", rabbitUser, secrets.get("RabbitMQ password"));
            TestBroker.rabbitmqctl("set_permissions", "-p", broker.name(), rabbitUser, ".*", ".*", ".*");
            // the Slack stub fails first (a retry is logged), and echoes what it got (a target may quote the request)
            slack.answerByDefault(Answer.status(500).withBody("upstream error for " + slack.url("/services/T0/B0/"
                    + secrets.get("Slack webhook path"))));
            Map<String, String> env = new HashMap<>();
            env.put("SIGNATURE_KEY", secrets.get("signature key"));
            env.put("RABBITMQ_URI", "amqp://" + rabbitUser + ":" + secrets.get("RabbitMQ password") + "@127.0.0.1:5672/"
                    + broker.name());
            env.put("DATA_DIR", work.resolve("data").toString());
            env.put("LOG_DIR", work.resolve("logs").toString());
            env.put("SQREEN_APPLICATION_ID", "it-app");
            env.put("SMTP_HOST", "127.0.0.1");
            env.put("SMTP_PORT", String.valueOf(smtp.getSmtp().getPort()));
            env.put("SMTP_USERNAME", "relay");
            env.put("SMTP_PASSWORD", secrets.get("SMTP password"));
            env.put("MAIL_TO", "soc@example.test");
            env.put("ADMIN_EMAILS", "admin@example.test");
            env.put("SLACK_WEBHOOK_URL", slack.url("/services/T0/B0/" + secrets.get("Slack webhook path")).toString());
            env.put("TWILIO_ACCOUNT_SID", "AC0123456789abcdef");
            env.put("TWILIO_AUTH_TOKEN", secrets.get("Twilio token"));
            env.put("TWILIO_API_URL", twilio.url("").toString());
            env.put("SMS_FROM", "+15559999999");
            env.put("SMS_TO", "+15551234567");
            env.put("HTTP_TARGET_URL", http.url("/events").toString());
            env.put("HTTP_TARGET_SECRET", secrets.get("HTTP target secret"));
            env.put("ADMIN_TOKEN", secrets.get("admin token"));
            env.put("RETRY_FIRST_DELAY", "200ms");
            env.put("SLACK_MAX_PER_SECOND", "1000");
            env.put("SMS_MAX_PER_MINUTE", "1000");
            int port = RelayUnderTest.freePort();
            try (RelayProcess relay = RelayProcess.start(port, env, work.resolve("console.txt"))) {
                relay.awaitReady(Duration.ofSeconds(90));
                String key = secrets.get("signature key");

                byte[] events = IngressContractTestBase.freshEvents(5);
                seen.add(describe(post(relay, events, WebhookSignature.sign(key, events))));       // 200
                seen.add(describe(post(relay, events, WebhookSignature.sign("wrong", events))));   // 401
                byte[] junk = "{not json".getBytes(StandardCharsets.UTF_8);
                seen.add(describe(post(relay, junk, WebhookSignature.sign(key, junk))));            // 422
                await().atMost(Duration.ofSeconds(60)).until(() -> smtp.getReceivedMessages().length >= 5
                        && twilio.requests().size() >= 5 && http.requests().size() >= 5 && slack.requests().size() >= 5);
                slack.answerByDefault(Answer.status(200));
                await().atMost(Duration.ofSeconds(60)).until(() -> slack.requests().stream().filter(StubHttpServer.Request::succeeded).count() >= 5);

                String bearer = "Bearer " + secrets.get("admin token");
                seen.add(describe(relay.get("/admin/dead-letters")));                              // 401
                seen.add(describe(send(relay, "/admin/dead-letters", "Bearer wrong-" + suffix, false)));
                await().atMost(Duration.ofSeconds(30)).until(() -> send(relay, "/admin/dead-letters", bearer, false).body()
                        .contains("\"sms\""));
                seen.add(describe(send(relay, "/admin/dead-letters", bearer, false)));
                seen.add(describe(send(relay, "/admin/dead-letters/http", bearer, false)));
                seen.add(describe(send(relay, "/admin/dead-letters/sms/replay", bearer, true)));
                seen.add(describe(relay.observe("/observe/metrics")));
                seen.add(describe(relay.observe("/observe/health/ready?data=true")));
                seen.add(describe(relay.observe("/observe/health/live?data=true")));
                relay.terminate();
                relay.awaitExit(Duration.ofSeconds(60));
            }
        } finally {
            smtp.stop();
            try {
                TestBroker.rabbitmqctl("delete_user", rabbitUser);
            } catch (IllegalStateException gone) {
                // already deleted
            }
        }

        List<Path> files;
        try (Stream<Path> walk = Files.walk(work.resolve("logs"))) {
            files = new ArrayList<>(walk.filter(Files::isRegularFile).toList());
        }
        files.add(work.resolve("console.txt"));
        String twilioBasic = Base64.getEncoder().encodeToString(("AC0123456789abcdef:" + secrets.get("Twilio token"))
                .getBytes(StandardCharsets.UTF_8));
        Map<String, String> searched = new LinkedHashMap<>(secrets);
        searched.put("Twilio basic credentials", twilioBasic);
        long lines = 0;
        StringBuilder all = new StringBuilder();
        for (Path file : files) {
            String text = Files.readString(file, StandardCharsets.ISO_8859_1);
            all.append(text);
            lines += text.lines().count();
            searched.forEach((name, secret) -> assertThat(text).as(name + " in " + file).doesNotContain(secret));
        }
        // the paths where a secret could leak were taken: failures of every kind were logged
        assertThat(all.toString()).contains("Delivery to slack failed (HTTP 500)", "Delivery to sms failed: HTTP 401",
                "Delivery to http failed: HTTP 400", "ready: POST");
        String answers = String.join("\n", seen);
        searched.forEach((name, secret) -> assertThat(answers).as(name + " in an answer").doesNotContain(secret));
        assertThat(answers).contains("HTTP 401", "HTTP 422", "\"sms\"", "sqreen_relay_requests_total");
        System.out.println("secrets: " + searched.size() + " secrets searched in " + files.size() + " files (" + lines
                + " lines) and " + seen.size() + " answers: none found");
    }

    private static HttpResponse<String> post(RelayProcess relay, byte[] body, String signature) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(relay.uri("/v1/webhook")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("X-Sqreen-Integrity", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(RelayProcess relay, String path, String authorization, boolean post)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(relay.uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization);
        request = post ? request.POST(HttpRequest.BodyPublishers.noBody()) : request.GET();
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String describe(HttpResponse<String> response) {
        return "HTTP " + response.statusCode() + " " + response.uri() + "\n" + response.headers().map() + "\n" + response.body();
    }
}
