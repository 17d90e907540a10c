package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.sqreenrelay.it.StubHttpServer.Request;
import jakarta.mail.internet.MimeMessage;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Groups and digests (issue 16; SPEC, "Digests") against real stand-ins: GreenMail for mail, HTTP stubs for Slack,
 * Twilio, Teams and the HTTP target. Short intervals set here (GROUP_INTERVAL 2 s); the other tests run ungrouped.
 * <ul>
 *   <li>a storm of 1,000 events of one group in 10 requests: each human channel gets the first event alone, then
 *       digests whose stated counts and the single message add up to 1,000; the HTTP target gets all 1,000;</li>
 *   <li>ten groups at once: ten first messages, Slack paced at one a second (a window count, as PacingIT);</li>
 *   <li>SIGKILL with an open group of 30: after the restart one digest names the 30; nothing lost, nothing twice.</li>
 * </ul>
 */
class DigestIT {

    private static final String KEY = "digest-key-" + UUID.randomUUID();
    private static final long INTERVAL_MS = 2000;
    /** A digest's count in Slack, mail and SMS texts ("Sqreen digest: 999 ...") and Teams cards ("Digest: 999 ..."). */
    private static final Pattern COUNT = Pattern.compile("Digest: (\\d+) ", Pattern.CASE_INSENSITIVE);

    /** What one channel received of a test's events: single messages, digests with their counts, arrival times. */
    record Channel(String name, int singles, List<Integer> digests, List<Long> digestTimes) {
        int covered() {
            return singles + digests.stream().mapToInt(Integer::intValue).sum();
        }

        int messages() {
            return singles + digests.size();
        }

        @Override
        public String toString() {
            return name + ": " + messages() + " messages (" + singles + " single, " + digests.size()
                    + " digests covering " + digests.stream().mapToInt(Integer::intValue).sum() + " events: " + digests + ")";
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sqreenrelay.it.TestBroker#kinds")
    void aStormOfOneGroupGivesEachPersonTheFirstEventThenDigestsThatCoverEveryEvent(String kind) throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(RelayUnderTest.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try (TestBroker broker = TestBroker.of(kind);
             StubHttpServer http = new StubHttpServer(200);
             StubHttpServer slack = new StubHttpServer(200);
             StubHttpServer twilio = new StubHttpServer(201);
             StubHttpServer teams = new StubHttpServer(200)) {
            Map<String, String> settings = grouped();
            settings.put("relay.smtp.host", "127.0.0.1");
            settings.put("relay.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
            settings.put("relay.mail.to", "ops@example.test");
            settings.put("relay.http-target.url", http.url("/events").toString());
            settings.put("relay.slack.webhook-url", slack.url("/services/T0/B0/digest").toString());
            settings.put("relay.twilio.account-sid", "AC0123456789abcdef");
            settings.put("relay.twilio.auth-token", "digest-token");
            settings.put("relay.twilio.api-url", twilio.url("").toString());
            settings.put("relay.sms.from", "+15559999999");
            settings.put("relay.sms.to", "+15550000201");
            settings.put("relay.teams.webhook-url", teams.url("/webhookb2/digest").toString());
            try (RelayUnderTest relay = RelayUnderTest.start(broker, Files.createTempDirectory("relay-digest"), settings)) {
                String id = marker();
                String app = "app" + id;
                for (int request = 0; request < 10; request++) {
                    List<String> events = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        int n = request * 100 + i;
                        events.add(TargetsContractTestBase.event(id + "e" + n, app, "Storm " + id + " event " + n));
                    }
                    HttpResponse<String> response = relay.postSigned(KEY,
                            ("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8));
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                }

                await().atMost(Duration.ofSeconds(90)).until(() -> http.requestsWith(id).size() >= 1000
                        && channels(id, slack, twilio, teams, smtp).stream().allMatch(c -> c.covered() >= 1000));
                List<Channel> channels = channels(id, slack, twilio, teams, smtp);
                System.out.println("Digest storm on " + kind + " (1,000 events of one group in 10 requests, GROUP_INTERVAL "
                        + INTERVAL_MS + " ms): HTTP " + http.requestsWith(id).size() + " posts; " + channels);
                assertThat(http.requestsWith(id)).as("the HTTP target gets every event").hasSize(1000);
                for (Channel channel : channels) {
                    assertThat(channel.singles()).as(channel.name() + ": the first event alone, at once").isEqualTo(1);
                    assertThat(channel.covered()).as(channel.name() + ": the single and the digests' counts").isEqualTo(1000);
                    assertThat(channel.digests()).as(channel.name() + ": gathered, not a flood").isNotEmpty()
                            .hasSizeLessThan(20);
                    if (!channel.digestTimes().isEmpty()) {
                        assertThat(busiest(channel.digestTimes(), INTERVAL_MS))
                                .as(channel.name() + ": at most one digest per interval, a margin of one for the window's edges")
                                .isLessThanOrEqualTo(2);
                    }
                }
            }
        } finally {
            smtp.stop();
        }
    }

    @Test
    void tenNewGroupsAtOnceGiveTenFirstMessagesPacedForSlack() throws Exception {
        try (TestBroker.RabbitVhost broker = TestBroker.rabbitMq();
             StubHttpServer slack = new StubHttpServer(200)) {
            Map<String, String> settings = grouped();
            settings.put("relay.slack.webhook-url", slack.url("/services/T0/B0/ten").toString());
            try (RelayUnderTest relay = RelayUnderTest.start(broker, Files.createTempDirectory("relay-ten"), settings)) {
                String id = marker();
                List<String> events = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    events.add(TargetsContractTestBase.event(id + "e" + i, "app" + id + "n" + i, "New group " + id + " " + i));
                }
                HttpResponse<String> response = relay.postSigned(KEY,
                        ("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8));
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(60)).until(() -> slack.requestsWith(id).size() >= 10);
                List<Request> posts = slack.requestsWith(id);
                List<Long> times = posts.stream().map(Request::at).toList();
                System.out.println("Ten new groups at once: " + posts.size() + " Slack posts over "
                        + (times.get(times.size() - 1) - times.get(0)) + " ms, at most " + busiest(times, 1000)
                        + " in any 1 s window");
                assertThat(posts).hasSize(10).allSatisfy(post -> assertThat(COUNT.matcher(post.body()).find())
                        .as("each the first event of its group, not a digest").isFalse());
                assertThat(busiest(times, 1000)).as("one a second, a margin of one for the window's edges")
                        .isLessThanOrEqualTo(2);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sqreenrelay.it.TestBroker#kinds")
    void anOpenGroupSurvivesSigkillAndItsDigestNamesEveryEventOnce(String kind) throws Exception {
        Path work = Files.createTempDirectory("relay-digest-kill");
        try (TestBroker broker = TestBroker.of(kind);
             StubHttpServer slack = new StubHttpServer(200);
             StubHttpServer http = new StubHttpServer(200)) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "SIGNATURE_KEY", KEY,
                    "DATA_DIR", work.resolve("data").toString(),
                    "LOG_DIR", work.resolve("logs").toString(),
                    "SLACK_WEBHOOK_URL", slack.url("/services/T0/B0/kill").toString(),
                    "HTTP_TARGET_URL", http.url("/events").toString(),
                    "GROUP_BY", "applicationId,type",
                    "GROUP_INTERVAL", "15s"));       // the group stays open until the kill
            if (broker.uri() != null) {
                env.put("RABBITMQ_URI", broker.uri());
            }
            int port = RelayUnderTest.freePort();
            String id = marker();
            List<String> events = new ArrayList<>();
            Set<String> keys = new java.util.LinkedHashSet<>();
            for (int i = 0; i < 31; i++) {
                events.add(TargetsContractTestBase.event(id + "e" + i, "app" + id, "Open group " + id + " event " + i));
            }
            try (RelayProcess relay = RelayProcess.start(port, env, work.resolve("console-1.txt"))) {
                relay.awaitReady(Duration.ofSeconds(90));
                HttpResponse<String> response = relay.postSigned(KEY,
                        ("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8));
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                // the first event went alone; the other 30 wait in the open group (or still in the broker)
                await().atMost(Duration.ofSeconds(30)).until(() -> slack.requestsWith(id).size() == 1
                        && http.requestsWith(id).size() == 31);
                relay.kill();
            }
            assertThat(slack.requestsWith(id)).as("no digest before the kill").hasSize(1);
            try (RelayProcess relay = RelayProcess.start(port, env, work.resolve("console-2.txt"))) {
                relay.awaitReady(Duration.ofSeconds(90));
                await().atMost(Duration.ofSeconds(60)).until(() -> slack(id, slack).covered() >= 31);
                // nothing more comes: no digest twice (a repository's recovery would send it within seconds)
                await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                        .until(() -> slack.requestsWith(id).size() == 2);
                Channel channel = slack(id, slack);
                List<Request> httpPosts = http.requestsWith(id);
                httpPosts.forEach(r -> keys.add(r.header("X-Relay-Event-Key")));
                System.out.println("SIGKILL with an open group of 30 on " + kind + ": Slack " + channel
                        + "; HTTP target " + httpPosts.size() + " posts of " + keys.size() + " events");
                assertThat(channel.singles()).isEqualTo(1);
                assertThat(channel.digests()).as("one digest naming the 30 gathered events").containsExactly(30);
                assertThat(keys).as("every event reached the HTTP target").hasSize(31);
            }
        }
    }

    private static Map<String, String> grouped() {
        Map<String, String> settings = new HashMap<>();
        settings.put("relay.signature-key", KEY);
        settings.put("relay.group.by", "applicationId,type");
        settings.put("relay.group.interval", INTERVAL_MS / 1000 + "s");
        settings.put("relay.sms.max-per-minute", "1000");     // SMS pacing has its own test (PacingIT)
        settings.put("camel.main.shutdown-timeout", "3");
        return settings;
    }

    /** A marker with no character any renderer escapes (Teams escapes markdown such as '-'). */
    private static String marker() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static List<Channel> channels(String id, StubHttpServer slack, StubHttpServer twilio, StubHttpServer teams,
                                          GreenMail smtp) {
        List<Channel> channels = new ArrayList<>();
        channels.add(slack(id, slack));
        channels.add(channel("sms", twilio.requestsWith(id), r -> URLDecoder.decode(r.body(), StandardCharsets.UTF_8)));
        channels.add(channel("teams", teams.requestsWith(id), Request::body));
        List<String> mails = Arrays.stream(smtp.getReceivedMessages())
                .map(DigestIT::mailText).filter(text -> text.contains(id)).toList();
        channels.add(tally("email", mails, mails.stream().map(m -> 0L).toList()));
        return channels;
    }

    private static Channel slack(String id, StubHttpServer slack) {
        return channel("slack", slack.requestsWith(id), Request::body);
    }

    private static Channel channel(String name, List<Request> requests, Function<Request, String> text) {
        return tally(name, requests.stream().map(text).toList(), requests.stream().map(Request::at).toList());
    }

    /** Texts with a digest count are digests (their times kept), the others single messages. */
    private static Channel tally(String name, List<String> texts, List<Long> times) {
        int singles = 0;
        List<Integer> digests = new ArrayList<>();
        List<Long> digestTimes = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            Matcher m = COUNT.matcher(texts.get(i));
            if (m.find()) {
                digests.add(Integer.parseInt(m.group(1)));
                if (times.get(i) > 0) {
                    digestTimes.add(times.get(i));
                }
            } else {
                singles++;
            }
        }
        return new Channel(name, singles, digests, digestTimes);
    }

    private static String mailText(MimeMessage message) {
        try {
            return message.getSubject() + "\n" + GreenMailUtil.getBody(message);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The most times that fall within any window of {@code millis} starting at one of them. */
    private static int busiest(List<Long> times, long millis) {
        int most = 0;
        for (long first : times) {
            most = Math.max(most, (int) times.stream().filter(t -> t >= first && t < first + millis).count());
        }
        return most;
    }
}
