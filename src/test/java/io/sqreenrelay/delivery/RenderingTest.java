package io.sqreenrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.ingress.WebhookSignature;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** What each target sends for an event, and that event text stays data in each of them. */
class RenderingTest {

    private static final String HOSTILE = "Attack\r\nBcc: evil@x.test\u0000 <!channel> <http://evil|click> & more";

    private static AcceptedEvent event(String title, boolean internal) {
        String source = "{\"message_type\":\"security_event\",\"api_version\":\"2\",\"message\":{\"event_id\":\"e1\","
                + "\"application_id\":\"app\",\"application_name\":\"shop\",\"environment\":\"production\","
                + "\"humanized_description\":" + quoted(title) + ",\"url\":\"https://my.sqreen.com/e/1\","
                + "\"ips\":[{\"address\":\"10.0.0.1\"}]}}";
        return new AcceptedEvent("app:security_event:id-e1", internal, 0L, source);
    }

    private static String quoted(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Exchange exchangeFor(AcceptedEvent event) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(DeliveryProperties.EVENT, event);
        exchange.setProperty(DeliveryProperties.TARGET, "test");
        return exchange;
    }

    @Test
    void theMailSubjectSaysWhatHappenedOnOneLine() {
        assertThat(EmailMessage.subject(event("SQL injection", false)))
                .isEqualTo("Sqreen security_event: SQL injection (shop, production)");
        assertThat(EmailMessage.subject(event("SQL injection", true)))
                .startsWith("[INTERNAL SECURITY ALERT] Sqreen security_event: SQL injection");
        assertThat(EmailMessage.subject(event(HOSTILE, false)))
                .doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0000").contains("\\r\\nBcc:");
    }

    @Test
    void theMailBodyHasEveryUsefulFieldAndTheLink() {
        AcceptedEvent event = event("SQL injection", true);
        String body = new EmailMessage("sqreen-relay").body(event);
        assertThat(body).startsWith("[INTERNAL SECURITY ALERT] This event concerns sqreen-relay")
                .contains("Application:    shop").contains("Environment:    production")
                .contains("IP addresses:   10.0.0.1").contains("Link:           https://my.sqreen.com/e/1")
                .contains("Event key:      app:security_event:id-e1").endsWith("as Sqreen sent it:\n" + event.source() + "\n");
        assertThat(new EmailMessage("r").body(event(HOSTILE, false)).lines())
                .noneMatch(line -> line.startsWith("Bcc:"));
    }

    @Test
    void slackTextEscapesItsControlCharactersAndFlagsInternalAlerts() {
        String text = SlackMessage.text(event(HOSTILE, false), "relay");
        assertThat(text).contains("&lt;!channel&gt;").contains("&lt;http://evil|click&gt;").contains("&amp; more")
                .doesNotContain("<!channel>").doesNotContain("\r");
        assertThat(text).contains("<https://my.sqreen.com/e/1|Open in Sqreen>");
        assertThat(SlackMessage.text(event("x", true), "relay")).startsWith(":rotating_light: *[INTERNAL SECURITY ALERT]*");
        assertThat(SlackMessage.text(event("x", false), "relay")).doesNotContain("INTERNAL");
    }

    @Test
    void slackGetsJsonWithTheText() throws Exception {
        String body = new SlackMessage("relay").payload(event("x", false));
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("text").asText()).startsWith("*x*");
    }

    @Test
    void anSmsStaysWithinSixteenHundredCharacters() {
        String text = TwilioSms.text(event("x".repeat(10_000), true));
        assertThat(text).hasSizeLessThanOrEqualTo(TwilioSms.MAX_BODY).startsWith("[INTERNAL SECURITY ALERT] Sqreen");
        assertThat(TwilioSms.cut("a".repeat(1598) + "\uD83D\uDE00" + "b", 1600)).hasSizeLessThanOrEqualTo(1600)
                .doesNotEndWith("\uD83D...");
    }

    @Test
    void twilioGetsAFormWithBasicAuthentication() {
        TwilioSms twilio = new TwilioSms(java.net.URI.create("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"),
                "AC1", "tok", "+15550000000");
        String form = twilio.form(event("SQL injection & more", false), "+15551234567");
        assertThat(form).startsWith("To=%2B15551234567&From=%2B15550000000&Body=Sqreen+security_event%3A+SQL+injection+%26+more");
        assertThat(twilio.authorization()).isEqualTo("Basic QUMxOnRvaw==");
        assertThat(twilio.messagesUrl()).isEqualTo("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json");
    }

    @Test
    void aRecipientAlreadyReachedIsNotSentItAgainAndAMessageForOneRecipientIsForThatOneAlone() {
        DeliveredKeys delivered = new DeliveredKeys(10);
        Recipients sms = new Recipients(java.util.List.of("+1", "+2", "+3"), delivered);
        AcceptedEvent event = event("x", false);
        sms.sent("sms", event, "+1");
        assertThat(sms.pending("sms", event, null)).containsExactly("+2", "+3");
        assertThat(sms.pending("other-target", event, null)).containsExactly("+1", "+2", "+3");
        assertThat(sms.pending("sms", event, "+3")).as("a retry of +3 alone").containsExactly("+3");
        assertThat(sms.pending("sms", event, "+1")).as("+1 got it already").isEmpty();
        assertThat(sms.pending("sms", event, "+9")).as("no longer configured").isEmpty();
        delivered.add(delivered.deliveryId("sms", event, null));
        assertThat(delivered.contains(delivered.deliveryId("sms", event, null))).isTrue();
        assertThat(delivered.contains(delivered.deliveryId("sms", event, "+3"))).as("the recipient's own key decides")
                .isFalse();
        assertThat(delivered.contains(delivered.deliveryId("sms", event, "+1"))).as("+1 got it").isTrue();
        delivered.add(delivered.deliveryId("sms", event, "+3"));
        assertThat(sms.pending("sms", event, "+3"))
                .as("a message for +3 completing (its failure parked) does not mean +3 got it").containsExactly("+3");
    }

    @Test
    void theHttpTargetSendsTheEventUnchangedAndSignsItWhenASecretIsSet() {
        AcceptedEvent event = event(HOSTILE, true);
        Exchange exchange = exchangeFor(event);
        exchange.getMessage().setBody(event.source());
        new HttpTargetSignatures("s3cret").sign(exchange);
        byte[] body = exchange.getMessage().getBody(byte[].class);
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(event.source());
        assertThat(exchange.getMessage().getHeader(HttpTargetSignatures.RELAY_SIGNATURE))
                .isEqualTo(WebhookSignature.sign("s3cret", body));
        assertThat(exchange.getMessage().getHeader(HttpTargetSignatures.WEBHOOK_ID)).isEqualTo("app:security_event:id-e1");
        assertThat(exchange.getMessage().getHeader(HttpTargetSignatures.WEBHOOK_SIGNATURE, String.class)).startsWith("v1,");
        Exchange unsigned = exchangeFor(event);
        unsigned.getMessage().setBody(event.source());
        new HttpTargetSignatures(null).sign(unsigned);
        assertThat(unsigned.getMessage().getHeaders()).doesNotContainKeys(HttpTargetSignatures.RELAY_SIGNATURE,
                HttpTargetSignatures.WEBHOOK_ID, HttpTargetSignatures.WEBHOOK_TIMESTAMP, HttpTargetSignatures.WEBHOOK_SIGNATURE);
        assertThat(unsigned.getMessage().getBody(byte[].class)).isEqualTo(body);
    }

    @Test
    void headerSafeKeepsKeysReadableAndEncodesTheRest() {
        assertThat(NotificationText.headerSafe("app:type:id-1")).isEqualTo("app:type:id-1");
        assertThat(NotificationText.headerSafe("a b\r\né%")).isEqualTo("a%20b%0D%0A%C3%A9%25");
    }
}
