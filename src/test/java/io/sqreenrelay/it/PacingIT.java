package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sqreenrelay.it.StubHttpServer.Request;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Pacing (issue 16) with Camel's Throttle EIP, against real HTTP stand-ins that time every request: ten events in one
 * request reach Slack no faster than SLACK_MAX_PER_SECOND (its default, 1), and each SMS number gets at most
 * SMS_MAX_PER_MINUTE (3 here) texts in a minute, the others waiting in the broker. Counts over windows measured by
 * the stand-ins, with a margin: pacing can only be slower than allowed under load, never faster.
 */
class PacingIT {

    private static final String KEY = "pacing-key-" + UUID.randomUUID();
    private static final List<String> NUMBERS = List.of("+15550000101", "+15550000102");

    @Test
    void slackAndEachSmsNumberAreSentNoFasterThanAllowed() throws Exception {
        try (TestBroker.RabbitVhost broker = TestBroker.rabbitMq();
             StubHttpServer slack = new StubHttpServer(200);
             StubHttpServer twilio = new StubHttpServer(201)) {
            Map<String, String> settings = new HashMap<>();
            settings.put("relay.signature-key", KEY);
            settings.put("relay.slack.webhook-url", slack.url("/services/T0/B0/paced").toString());
            settings.put("relay.twilio.account-sid", "AC0123456789abcdef");
            settings.put("relay.twilio.auth-token", "pacing-token");
            settings.put("relay.twilio.api-url", twilio.url("").toString());
            settings.put("relay.sms.from", "+15559999999");
            settings.put("relay.sms.to", String.join(",", NUMBERS));
            settings.put("relay.sms.max-per-minute", "3");
            settings.put("camel.main.shutdown-timeout", "3");   // a text waits in the throttle when the relay stops
            try (RelayUnderTest relay = RelayUnderTest.start(broker, Files.createTempDirectory("relay-pacing"), settings)) {
                String id = UUID.randomUUID().toString();
                List<String> events = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    events.add(TargetsContractTestBase.event(id + "-" + i, "paced-app", "Paced " + id + "-" + i));
                }
                HttpResponse<String> response = relay.postSigned(KEY,
                        ("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8));
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

                await().atMost(Duration.ofSeconds(60)).until(() -> slack.requestsWith(id).size() == 10);
                List<Request> posts = slack.requestsWith(id);
                int busiestSecond = busiest(posts, 1000);
                System.out.println("Slack at SLACK_MAX_PER_SECOND 1: 10 events posted over "
                        + (posts.get(9).at() - posts.get(0).at()) + " ms, at most " + busiestSecond
                        + " in any 1 s window");
                assertThat(busiestSecond).as("one a second, a margin of one for the window's edges").isLessThanOrEqualTo(2);

                // each number: 3 texts at once, then the 4th waits for the minute (its message unacknowledged)
                // (every number awaited: the first alone was, and a slower other number missed the 5 s that follow)
                await().atMost(Duration.ofSeconds(30)).until(() -> NUMBERS.stream().allMatch(n -> texts(twilio, id, n) >= 3));
                Thread.sleep(5000);   // a 4th text within the minute would come now: none may
                for (String number : NUMBERS) {
                    assertThat(texts(twilio, id, number)).as("texts to " + number + " in the first minute").isEqualTo(3);
                }
                System.out.println("SMS at SMS_MAX_PER_MINUTE 3: each of 2 numbers texted 3 of 10 events in the first"
                        + " minute; the rest wait in the broker");
            }
        }
    }

    /** The most requests that fall within any window of {@code millis} starting at one of them. */
    private static int busiest(List<Request> requests, long millis) {
        int most = 0;
        for (Request first : requests) {
            int in = (int) requests.stream().filter(r -> r.at() >= first.at() && r.at() < first.at() + millis).count();
            most = Math.max(most, in);
        }
        return most;
    }

    private static long texts(StubHttpServer twilio, String id, String number) {
        return twilio.requestsWith(id).stream()
                .filter(r -> URLDecoder.decode(r.body(), StandardCharsets.UTF_8).contains("To=" + number))
                .count();
    }
}
