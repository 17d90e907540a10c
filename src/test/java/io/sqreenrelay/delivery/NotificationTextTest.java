package io.sqreenrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqreenrelay.Vectors;
import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.ReceivedEvent;
import io.sqreenrelay.ingress.WebhookBody;
import org.junit.jupiter.api.Test;

class NotificationTextTest {

    private final NotificationText text = new NotificationText();

    private static AcceptedEvent accepted(String source, boolean internal) {
        return new AcceptedEvent("k", internal, 0L, source);
    }

    @Test
    void aLogLineSaysWhatWhereAndLinks() {
        ReceivedEvent event = WebhookBody.parse(Vectors.named("v2_security_event").bytes()).get(0);
        String line = text.logLine(accepted(event.source(), false));
        assertThat(line)
                .startsWith("security_event: \"Potential Vulnerability discovery from 103.6.198.100\"")
                .contains("app=montres-berger", "app_id=601366f227a5d5001fe83586", "env=production",
                        "ips=103.6.198.100", "link=https://my.sqreen.com/application/", "key=k")
                .doesNotContain(NotificationText.INTERNAL_TAG);
    }

    @Test
    void anInternalAlertIsTaggedOnceAtTheStart() {
        String line = text.logLine(accepted("{\"sqreen_payload_type\":\"security_event\"}", true));
        assertThat(line).startsWith(NotificationText.INTERNAL_TAG + " security_event");
        assertThat(line.indexOf(NotificationText.INTERNAL_TAG)).isEqualTo(line.lastIndexOf(NotificationText.INTERNAL_TAG));
    }

    @Test
    void eventTextNeverSplitsTheLine() {
        String hostile = "{\"sqreen_payload_type\":\"security_event\\n2026 FAKE\","
                + "\"humanized_description\":\"a\\r\\nb\\u2028c\\u0085d\\u0000e\\u001bf\\tg\","
                + "\"application_name\":\"x\\ny\", \"url\":\"http://x/\\r\\n\"}";
        String line = text.logLine(accepted(hostile, false));
        assertThat(line).doesNotContain("\n", "\r", "\u2028", "\u0085", "\u0000", "\u001b", "\t");
        assertThat(line).contains("a\\r\\nb\\u2028c\\u0085d\\u0000e\\u001bf\\tg", "app=x\\ny");
    }

    @Test
    void veryLongTextIsCut() {
        String line = text.logLine(accepted(
                "{\"sqreen_payload_type\":\"test\",\"humanized_description\":\"" + "A".repeat(100_000) + "\"}", false));
        assertThat(line.length()).isLessThan(1000);
        assertThat(line).contains("AAA...\"");
    }

    @Test
    void oneLineLeavesOrdinaryTextAlone() {
        assertThat(NotificationText.oneLine("Connexion \u00e0 \u00e9t\u00e9 \ud83d\ude00 <b>&"))
                .isEqualTo("Connexion \u00e0 \u00e9t\u00e9 \ud83d\ude00 <b>&");
        assertThat(NotificationText.oneLine("back\\slash")).isEqualTo("back\\\\slash");
    }
}
