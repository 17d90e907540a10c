package io.sqreenrelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetSettingsTest {

    private static TargetSettings read(Map<String, String> values) {
        return TargetSettings.read(new HashMap<>(values)::get);
    }

    @Test
    void nothingSetMeansOnlyTheLogTargetAndDefaultRetries() {
        TargetSettings settings = read(Map.of());
        assertThat(settings.mail()).isNull();
        assertThat(settings.http()).isNull();
        assertThat(settings.slackWebhook()).isNull();
        assertThat(settings.sms()).isNull();
        assertThat(settings.adminToken()).isNull();
        assertThat(settings.retry().firstDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.retry().maxDelay()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.retry().maxAge()).isEqualTo(Duration.ofHours(24));
        assertThat(settings.targetTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void emailNeedsRecipientsAndValidAddresses() {
        TargetSettings settings = read(Map.of("relay.smtp.host", "mail.example.test", "relay.mail.to", "a@x.test, b@x.test"));
        assertThat(settings.emailOn()).isTrue();
        assertThat(settings.adminEmailOn()).isFalse();
        assertThat(settings.mail().to()).containsExactly("a@x.test", "b@x.test");
        assertThat(settings.mail().port()).isEqualTo(25);
        assertThatThrownBy(() -> read(Map.of("relay.smtp.host", "mail.example.test")))
                .hasMessageContaining("MAIL_TO and ADMIN_EMAILS");
        assertThatThrownBy(() -> read(Map.of("relay.smtp.host", "m", "relay.mail.to", "not an address")))
                .hasMessageStartingWith("MAIL_TO must be");
        assertThatThrownBy(() -> read(Map.of("relay.smtp.host", "m", "relay.admin.emails", "a@x.test\r\nBcc: e@x.test")))
                .hasMessageStartingWith("ADMIN_EMAILS must be");
        assertThatThrownBy(() -> read(Map.of("relay.smtp.host", "m", "relay.mail.to", "a@x.test", "relay.smtp.username", "u")))
                .hasMessageContaining("SMTP_USERNAME and SMTP_PASSWORD");
    }

    @Test
    void aSecretUrlIsNeverQuotedBack() {
        assertThatThrownBy(() -> read(Map.of("relay.slack.webhook-url", "hooks.slack.com/services/T/B/SECRET")))
                .hasMessageStartingWith("SLACK_WEBHOOK_URL must be")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET"));
        assertThatThrownBy(() -> read(Map.of("relay.http-target.url", "ftp://x")))
                .hasMessageStartingWith("HTTP_TARGET_URL must be");
    }

    @Test
    void credentialsInATargetUrlBecomeBasicAuthenticationAndAreNeverQuotedBack() {
        // issue 12, fault 5, for every target URL setting
        TargetSettings settings = read(Map.of(
                "relay.http-target.url", "http://relayuser:p%40ss@host.example:8443/hook?x=1+2&y=%2B",
                "relay.slack.webhook-url", "https://u:s%3Acret@hooks.example/services/T/B/S"));
        assertThat(settings.http().url().url().toString()).isEqualTo("http://host.example:8443/hook?x=1+2&y=%2B");
        assertThat(settings.http().url().authorization()).isEqualTo("Basic " + java.util.Base64.getEncoder()
                .encodeToString("relayuser:p@ss".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(settings.http().url().toString()).doesNotContain("p%40ss", "p@ss", "relayuser");
        assertThat(settings.slackWebhook().url().toString()).isEqualTo("https://hooks.example/services/T/B/S");
        assertThat(settings.slackWebhook().authorization()).isEqualTo("Basic " + java.util.Base64.getEncoder()
                .encodeToString("u:s:cret".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(read(Map.of("relay.http-target.url", "https://plain.example/h")).http().url().authorization()).isNull();
        // Twilio has its own credentials: a second pair is refused, with one line naming the variable
        Map<String, String> sms = new HashMap<>(Map.of("relay.twilio.account-sid", "AC123", "relay.twilio.auth-token", "t",
                "relay.sms.from", "+15550000000", "relay.sms.to", "+15550000001",
                "relay.twilio.api-url", "https://user:hunter2@api.example"));
        assertThatThrownBy(() -> read(sms)).isInstanceOf(InvalidSetting.class)
                .hasMessageStartingWith("TWILIO_API_URL must not hold user:password@")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        assertThatThrownBy(() -> read(Map.of("relay.http-target.url", "ftp://user:hunter2@x")))
                .hasMessageStartingWith("HTTP_TARGET_URL must be")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void aUrlWithCharactersNoUriAllowsReachesItsTargetEncodedAndABadOneSaysWhy() {
        // a space and the other ASCII characters RFC 3986 allows nowhere are sent percent-encoded; escapes stay as written
        assertThat(TargetSettings.webUrl("http://h.test/a b?q=c d&x=%2F|{}", "HTTP_TARGET_URL", false).toASCIIString())
                .isEqualTo("http://h.test/a%20b?q=c%20d&x=%2F%7C%7B%7D");
        assertThatThrownBy(() -> TargetSettings.webUrl("http://user:%zzs3cr3t@h.test/", "HTTP_TARGET_URL", false))
                .isInstanceOf(InvalidSetting.class)
                .hasMessageStartingWith("HTTP_TARGET_URL is not a valid URL: malformed escape pair at character 13")
                .hasMessageNotContaining("s3cr3t");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"https://events.pagerduty.com/", "http://h.test/pd/",
            "http://h.test/?x=1", "http://h.test/pd#f"})
    void aPagerDutyApiUrlTheRouteCannotExtendIsRefused(String url) {
        assertThatThrownBy(() -> read(Map.of("relay.pagerduty.api-url", url)))
                .isInstanceOf(InvalidSetting.class)
                .hasMessageStartingWith("PAGERDUTY_API_URL must be the API's base URL");
        assertThat(read(Map.of("relay.pagerduty.api-url", "http://u:p%40w@h.test/pd"))).isNotNull();
    }

    @Test
    void smsNeedsItsTokenSenderAndNumbers() {
        Map<String, String> sms = new HashMap<>(Map.of("relay.twilio.account-sid", "AC123", "relay.twilio.auth-token", "t",
                "relay.sms.from", "+15550000000", "relay.admin.phones", "+15550000001"));
        TargetSettings settings = read(sms);
        assertThat(settings.smsOn()).isFalse();
        assertThat(settings.adminSmsOn()).isTrue();
        assertThat(settings.sms().messagesUrl().toString())
                .isEqualTo("https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json");
        sms.remove("relay.twilio.auth-token");
        assertThatThrownBy(() -> read(sms)).hasMessageContaining("TWILIO_AUTH_TOKEN");
        assertThatThrownBy(() -> read(Map.of("relay.twilio.account-sid", "AC1", "relay.twilio.auth-token", "t",
                "relay.sms.from", "+1555", "relay.sms.to", "+1555\nX"))).hasMessageStartingWith("SMS_TO must be");
    }

    @Test
    void retryDelaysAreDurations() {
        TargetSettings settings = read(Map.of("relay.retry.first-delay", "250ms", "relay.retry.max-delay", "2m",
                "relay.retry.max-age", "1d"));
        assertThat(settings.retry().firstDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.retry().maxAge()).isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> read(Map.of("relay.retry.first-delay", "soon"))).hasMessageStartingWith("RETRY_FIRST_DELAY");
        assertThatThrownBy(() -> read(Map.of("relay.retry.first-delay", "10m", "relay.retry.max-delay", "1m")))
                .hasMessageContaining("RETRY_MAX_DELAY");
        assertThat(settings.retry().retryAfterMax()).as("default").isEqualTo(Duration.ofMinutes(15));
        assertThat(read(Map.of("relay.retry.after-max", "5s")).retry().retryAfterMax()).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> read(Map.of("relay.retry.after-max", "0s"))).hasMessageStartingWith("RETRY_AFTER_MAX");
    }

    @Test
    void pacesAreWholeNumbersFromOneToAThousand() {
        read(Map.of("relay.slack.max-per-second", "1", "relay.sms.max-per-minute", "1000"));
        assertThatThrownBy(() -> read(Map.of("relay.slack.max-per-second", "0"))).hasMessageStartingWith("SLACK_MAX_PER_SECOND");
        assertThatThrownBy(() -> read(Map.of("relay.slack.max-per-second", "0.5"))).hasMessageStartingWith("SLACK_MAX_PER_SECOND");
        assertThatThrownBy(() -> read(Map.of("relay.sms.max-per-minute", "1001"))).hasMessageStartingWith("SMS_MAX_PER_MINUTE");
    }

    @Test
    void groupingSettingsAreCheckedAtStart() {
        read(Map.of("relay.group.by", "applicationId,type,environment", "relay.group.interval", "2s", "relay.group.wait", "0s"));
        read(Map.of("relay.group.by", "none"));
        assertThatThrownBy(() -> read(Map.of("relay.group.by", "applicationId,tpye")))
                .hasMessageStartingWith("GROUP_BY names 'tpye', not a field of the event");
        assertThatThrownBy(() -> read(Map.of("relay.group.interval", "0s"))).hasMessageStartingWith("GROUP_INTERVAL");
        assertThatThrownBy(() -> read(Map.of("relay.group.interval", "soon"))).hasMessageStartingWith("GROUP_INTERVAL");
        assertThatThrownBy(() -> read(Map.of("relay.group.wait", "30s"))).hasMessageStartingWith("GROUP_WAIT: only 0s");
    }
}
