package io.sqreenrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DeliveryOutcomesTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final RetryPolicy POLICY = new RetryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofHours(1));
    /** No jitter: the middle of the jitter range. */
    private final DeliveryOutcomes outcomes = new DeliveryOutcomes(POLICY, () -> 0.5);

    private static HttpOperationFailedException http(int status, Map<String, String> headers, String body) {
        return new HttpOperationFailedException("https://hooks.slack.com/services/T/B/SECRET", status, "x", null, headers, body);
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503, 504})
    void timeoutsRateLimitsAndServerErrorsAreRetried(int status) {
        DeliveryOutcomes.Decision decision = outcomes.decide(http(status, Map.of(), ""), 1, NOW, NOW);
        assertThat(decision.retry()).isTrue();
        assertThat(decision.dueAt()).isEqualTo(NOW + 5000);
        assertThat(decision.reason()).isEqualTo("HTTP " + status);
    }

    @ParameterizedTest
    @ValueSource(ints = {300, 301, 400, 401, 403, 404, 413, 422})
    void otherAnswersAreDeadLetteredAtOnce(int status) {
        DeliveryOutcomes.Decision decision = outcomes.decide(http(status, Map.of(), ""), 1, NOW, NOW);
        assertThat(decision.retry()).isFalse();
        assertThat(decision.reason()).startsWith("HTTP " + status + " (permanent");
    }

    @Test
    void a410GoneSuspendsTheTargetAndKeepsTheEventWhateverItsAge() {
        DeliveryOutcomes.Decision slack = outcomes.decide(http(410, Map.of(), "channel_is_archived"), 1, NOW, NOW);
        assertThat(slack.suspend()).isTrue();
        assertThat(slack.retry()).as("not a dead letter").isTrue();
        assertThat(slack.reason()).isEqualTo("HTTP 410 channel_is_archived");
        DeliveryOutcomes.Decision old = outcomes.decide(http(410, Map.of(), "<html>https://hooks.example/SECRET</html>"),
                9, NOW - 7_200_000, NOW);
        assertThat(old.suspend()).as("past the maximum age too").isTrue();
        assertThat(old.reason()).as("a body that is not a bare error code is not quoted").isEqualTo("HTTP 410");
        DeliveryOutcomes.Decision suspended = outcomes.decide(new TargetSuspensions.TargetSuspended(), 1, NOW, NOW);
        assertThat(suspended.suspend()).isTrue();
        assertThat(outcomes.decide(http(404, Map.of(), "channel_not_found"), 1, NOW, NOW).suspend()).isFalse();
    }

    @Test
    void theReasonNeverQuotesTheUrlOrTheExceptionMessage() {
        DeliveryOutcomes.Decision decision = outcomes.decide(http(500, Map.of(), "SECRET body"), 1, NOW, NOW);
        assertThat(decision.reason()).doesNotContain("SECRET").doesNotContain("hooks.slack.com");
        DeliveryOutcomes.Decision other = outcomes.decide(new IllegalStateException("SECRET"), 1, NOW, NOW);
        assertThat(other.reason()).doesNotContain("SECRET");
    }

    @Test
    void theBackoffDoublesAndIsCapped() {
        assertThat(outcomes.decide(http(503, Map.of(), ""), 2, NOW, NOW).dueAt()).isEqualTo(NOW + 10_000);
        assertThat(outcomes.decide(http(503, Map.of(), ""), 3, NOW, NOW).dueAt()).isEqualTo(NOW + 20_000);
        assertThat(outcomes.decide(http(503, Map.of(), ""), 12, NOW - 60_000, NOW).dueAt()).isEqualTo(NOW + 300_000);
    }

    @Test
    void jitterStaysWithinTwentyPercentAndUnderTheCap() {
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofHours(1));
        assertThat(policy.backoffMillis(1, () -> 0.0)).isEqualTo(4000);
        assertThat(policy.backoffMillis(1, () -> 0.999999)).isBetween(5999L, 6000L);
        assertThat(policy.backoffMillis(30, () -> 0.999999)).isEqualTo(300_000);
    }

    @Test
    void aRetryAfterInSecondsOrAsADateIsHonoured() {
        assertThat(outcomes.decide(http(429, Map.of("retry-after", "60"), ""), 1, NOW, NOW).dueAt()).isEqualTo(NOW + 60_000);
        String date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.Instant.ofEpochMilli(NOW + 90_000).atZone(java.time.ZoneOffset.UTC));
        assertThat(outcomes.decide(http(503, Map.of("Retry-After", date), ""), 1, NOW, NOW).dueAt()).isEqualTo(NOW + 90_000);
        // what was asked, shorter than the backoff too (issue 12: a Retry-After: 2 was waited 4.5 s)
        assertThat(outcomes.decide(http(429, Map.of("Retry-After", "1"), ""), 1, NOW, NOW).dueAt()).isEqualTo(NOW + 1000);
        assertThat(outcomes.decide(http(429, Map.of("Retry-After", "2"), ""), 4, NOW, NOW).dueAt()).isEqualTo(NOW + 2000);
    }

    @Test
    void slacksRetryAfterFieldIsHonoured() {
        String body = "{\"ok\":false,\"error\":\"ratelimited\",\"retry_after\":30}";
        assertThat(outcomes.decide(http(429, Map.of(), body), 1, NOW, NOW).dueAt()).isEqualTo(NOW + 30_000);
    }

    @Test
    void anUnreadableRetryAfterFallsBackToTheBackoff() {
        assertThat(outcomes.decide(http(429, Map.of("Retry-After", "soon"), ""), 1, NOW, NOW).dueAt()).isEqualTo(NOW + 5000);
    }

    @Test
    void aRetryPastTheMaximumAgeIsADeadLetter() {
        DeliveryOutcomes.Decision decision = outcomes.decide(http(503, Map.of(), ""), 9, NOW - 3_500_000, NOW);
        assertThat(decision.retry()).isFalse();
        assertThat(decision.reason()).startsWith("HTTP 503 (gave up after 9 attempts");
        // a Retry-After beyond the maximum age, even once capped, gives up at once too
        DeliveryOutcomes outcomesCappedLate = new DeliveryOutcomes(new RetryPolicy(Duration.ofSeconds(5),
                Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofHours(3)), () -> 0.5);
        assertThat(outcomesCappedLate.decide(http(429, Map.of("Retry-After", "7200"), ""), 1, NOW, NOW).retry()).isFalse();
    }

    @Test
    void aRetryAfterLongerThanTheCapIsCutToIt() {
        // RETRY_AFTER_MAX (15 min by default): a Retry-After: 999999 held a target for 24 h (issue 16)
        DeliveryOutcomes.Decision decision = outcomes.decide(http(429, Map.of("Retry-After", "999999"), ""), 1, NOW, NOW);
        assertThat(decision.retry()).isTrue();
        assertThat(decision.dueAt()).isEqualTo(NOW + 15 * 60_000);
        assertThat(decision.holdTargetUntil()).isEqualTo(NOW + 15 * 60_000);
        assertThat(decision.capped()).isTrue();
        assertThat(decision.askedWaitMillis()).isEqualTo(999_999_000L);
        String date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.Instant.ofEpochMilli(NOW + 3_600_000).atZone(java.time.ZoneOffset.UTC));
        assertThat(outcomes.decide(http(503, Map.of("Retry-After", date), ""), 1, NOW, NOW).dueAt())
                .as("an HTTP date an hour away").isEqualTo(NOW + 15 * 60_000);
        DeliveryOutcomes.Decision within = outcomes.decide(http(429, Map.of("Retry-After", "900"), ""), 1, NOW, NOW);
        assertThat(within.capped()).as("exactly the cap is not cut").isFalse();
        assertThat(within.dueAt()).isEqualTo(NOW + 900_000);
    }

    @Test
    void networkFailuresAreRetried() {
        assertThat(outcomes.decide(new SocketTimeoutException("Read timed out"), 1, NOW, NOW).reason()).isEqualTo("timed out");
        assertThat(outcomes.decide(new RuntimeException(new ConnectException("refused")), 1, NOW, NOW).reason())
                .isEqualTo("connection refused");
        assertThat(outcomes.decide(new UnknownHostException("x"), 1, NOW, NOW).retry()).isTrue();
        assertThat(outcomes.decide(new IOException("reset"), 1, NOW, NOW).retry()).isTrue();
    }

    @Test
    void smtpTemporaryRefusalsAreRetriedAndPermanentOnesAreNot() {
        var temporary = new SMTPSendFailedException("DATA", 451, "451 try later", null, null, null, null);
        var permanent = new SMTPSendFailedException("DATA", 554, "554 rejected", null, null, null, null);
        assertThat(outcomes.decide(temporary, 1, NOW, NOW).retry()).isTrue();
        assertThat(outcomes.decide(permanent, 1, NOW, NOW).retry()).isFalse();
        assertThat(outcomes.decide(permanent, 1, NOW, NOW).reason()).startsWith("SMTP 554");
    }

    @Test
    void smtp4xxAnywhereIsTransientEvenWhereAngusGivesNoReplyCode() {
        // issue 12, fault 3: a refused greeting is a plain MessagingException quoting the reply
        var greeting = new jakarta.mail.MessagingException(
                "Got bad greeting from SMTP host: 127.0.0.1, port: 2525, response: 421 4.3.2 service not available, try again later");
        DeliveryOutcomes.Decision decision = outcomes.decide(new RuntimeException(greeting), 1, NOW, NOW);
        assertThat(decision.retry()).isTrue();
        assertThat(decision.reason()).isEqualTo("SMTP 421");
        var greeting5xx = new jakarta.mail.MessagingException(
                "Got bad greeting from SMTP host: h, port: 25, response: 554 5.3.2 no service for you");
        assertThat(outcomes.decide(greeting5xx, 1, NOW, NOW).retry()).isFalse();
        var rcpt = new org.eclipse.angus.mail.smtp.SMTPAddressFailedException(
                new jakarta.mail.internet.InternetAddress(), "RCPT TO", 450, "450 4.2.1 mailbox busy");
        assertThat(outcomes.decide(new jakarta.mail.SendFailedException("Invalid Addresses", rcpt), 1, NOW, NOW).retry())
                .isTrue();
        var mail = new org.eclipse.angus.mail.smtp.SMTPSenderFailedException(
                new jakarta.mail.internet.InternetAddress(), "MAIL FROM", 421, "421 4.7.0 closing");
        assertThat(outcomes.decide(mail, 1, NOW, NOW).retry()).isTrue();
        var auth = new jakarta.mail.AuthenticationFailedException("454 4.7.0 Temporary authentication failure");
        assertThat(outcomes.decide(auth, 1, NOW, NOW).retry()).isTrue();
        assertThat(outcomes.decide(new jakarta.mail.AuthenticationFailedException("535 5.7.8 bad credentials"), 1, NOW, NOW)
                .retry()).isFalse();
        // the connection lost mid-way: a network failure
        var lost = new jakarta.mail.MessagingException("Can't send command to SMTP host", new java.net.SocketException("reset"));
        assertThat(outcomes.decide(lost, 1, NOW, NOW).retry()).isTrue();
    }

    @Test
    void aRequestTheHttpClientRefusesToSendIsNotANetworkFailure() {
        // issue 12, fault 5: HttpClient 5 refuses a request URI with user:password@ before sending anything
        var refused = new org.apache.hc.client5.http.ClientProtocolException(
                new org.apache.hc.core5.http.ProtocolException("Request URI authority contains deprecated userinfo component"));
        DeliveryOutcomes.Decision decision = outcomes.decide(new RuntimeException(refused), 1, NOW, NOW);
        assertThat(decision.retry()).isFalse();
        assertThat(decision.reason()).startsWith("request refused by the HTTP client");
    }

    @Test
    void anEventTheRelayCannotRenderIsNotRetried() {
        assertThat(outcomes.decide(new IllegalArgumentException("bad"), 1, NOW, NOW).retry()).isFalse();
    }

    @Test
    void aTargetThatAsksToWaitIsHeldUntilThen() {
        DeliveryOutcomes.Decision asked = outcomes.decide(http(429, Map.of("Retry-After", "30"), ""), 1, NOW, NOW);
        assertThat(asked.retry()).isTrue();
        assertThat(asked.dueAt()).isEqualTo(NOW + 30_000);
        assertThat(asked.holdTargetUntil()).isEqualTo(NOW + 30_000);

        DeliveryOutcomes.Decision notAsked = outcomes.decide(http(429, Map.of(), ""), 1, NOW, NOW);
        assertThat(notAsked.holdTargetUntil()).as("no Retry-After, no hold").isZero();
    }

    @Test
    void anEventHeldBackGoesAgainAtTheEndOfTheHoldWithoutExtendingIt() {
        DeliveryOutcomes.Decision held = outcomes.decide(new TargetHolds.TargetOnHold(NOW + 2_000), 1, NOW, NOW);
        assertThat(held.retry()).isTrue();
        assertThat(held.dueAt()).as("the hold's end, not the backoff's 5 s").isEqualTo(NOW + 2_000);
        assertThat(held.holdTargetUntil()).isZero();
        assertThat(held.reason()).isEqualTo("target on hold (it asked to wait)");
    }

    @Test
    void holdsKeepTheLongestWaitAndEndByThemselves() throws InterruptedException {
        TargetHolds holds = new TargetHolds();
        long now = System.currentTimeMillis();
        holds.hold("slack", now + 60_000);
        holds.hold("slack", now + 1_000);
        assertThat(holds.heldUntil("slack")).isEqualTo(now + 60_000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> holds.check("slack"))
                .isInstanceOf(TargetHolds.TargetOnHold.class);
        holds.check("http");   // another target is not held

        holds.hold("sms", System.currentTimeMillis() + 50);
        Thread.sleep(100);
        holds.check("sms");    // over: no exception
        assertThat(holds.heldUntil("sms")).isZero();
    }
}
