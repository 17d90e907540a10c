package io.sqreenrelay.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqreenrelay.Vectors;
import io.sqreenrelay.event.ReceivedEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookBodyTest {

    private static List<ReceivedEvent> parse(String body) {
        return WebhookBody.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anArrayGivesEachElementWithItsExactSource() {
        String body = Vectors.named("v2_two_events_fousti_file").body();
        List<ReceivedEvent> events = parse(body);
        assertThat(events).hasSize(2);
        for (ReceivedEvent event : events) {
            assertThat(body).contains(event.source());
            assertThat(event.source()).startsWith("{").endsWith("}");
        }
        // formatting and number spelling kept byte for byte
        assertThat(events.get(0).source()).contains("21.283300399780273").contains("\n  \"message_type\"");
    }

    @Test
    void nonAsciiTextKeepsItsExactSource() {
        String body = "[ {\"sqreen_payload_type\":\"test\",\"t\":\"caf\u00e9 \u2603 \ud83d\ude00\"} ,{\"a\":1}]";
        List<ReceivedEvent> events = parse(body);
        assertThat(events).extracting(ReceivedEvent::source)
                .containsExactly("{\"sqreen_payload_type\":\"test\",\"t\":\"caf\u00e9 \u2603 \ud83d\ude00\"}", "{\"a\":1}");
    }

    @Test
    void oneEventObjectCountsAsAnArrayOfOne() {
        assertThat(parse("{\"sqreen_payload_type\": \"test\"}")).hasSize(1);
        assertThat(parse(" {\"message_type\": \"test\", \"message\": {}} ")).hasSize(1);
    }

    @Test
    void anEmptyArrayIsAccepted() {
        assertThat(parse("[]")).isEmpty();
        assertThat(parse(" [ ] \n")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "4567", "coucou", "The quick brown fox", "{}", "{\"id\": \"1111\"}", "\"text\"", "null",
            "[1]", "[{}, 2]", "[[]]", "[\"a\"]", "[null]", "[{}", "[{}]]", "[{}] x", "[{}][{}]", "{\"message_type\":1}x",
            "[{\"a\":1,\"a\":2}]", "[{\"a\":\"\\x\"}]", "{\"message_type\":\"test\""})
    void anythingElseIsRefusedWhole(String body) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOfSatisfying(RequestRejected.class, e -> assertThat(e.getStatus()).isEqualTo(422));
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] body = {'[', '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', ']'};
        assertThatThrownBy(() -> WebhookBody.parse(body)).isInstanceOf(RequestRejected.class);
    }

    @Test
    void absurdNestingIsRefusedNotAStackOverflow() {
        String deep = "[{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}]";
        assertThatThrownBy(() -> parse(deep))
                .isInstanceOfSatisfying(RequestRejected.class, e -> assertThat(e.getStatus()).isEqualTo(422));
    }

    @Test
    void theReasonNeverQuotesTheBody() {
        assertThatThrownBy(() -> parse("[{\"secret-looking\": tru}]"))
                .isInstanceOf(RequestRejected.class)
                .hasMessageNotContaining("secret-looking");
    }
}
