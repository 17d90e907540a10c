package io.sqreenrelay.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sqreenrelay.Vectors;
import io.sqreenrelay.delivery.EmailMessage;
import io.sqreenrelay.delivery.NotificationText;
import io.sqreenrelay.delivery.SlackMessage;
import io.sqreenrelay.delivery.TwilioSms;
import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.ReceivedEvent;
import io.sqreenrelay.event.SqreenEvent;
import io.sqreenrelay.event.SqreenEvents;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * What an attacker (or a broken sender) can put in a webhook body, tried in thousands of shapes: the body parser
 * answers events or a 422, nothing else, and never dies; whatever an event holds, its key stays short and printable,
 * and every target's rendering stays within its bounds (one-line headers and subjects, an SMS within 1600 chars).
 */
class HostileBodyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 2000)
    void anyBytesAreEventsOrA422(@ForAll @Size(max = 4096) byte[] body) {
        assertParsesOrIs422(body);
    }

    @Property(tries = 500)
    void everyTruncationOfARealSqreenBodyIsEventsOrA422(@ForAll("realBodies") byte[] body, @ForAll @IntRange(max = 100_000) int cut) {
        assertParsesOrIs422(Arrays.copyOf(body, Math.min(cut, body.length)));
    }

    @Property(tries = 50)
    void deepNestingIsA422NotAStackOverflow(@ForAll @IntRange(min = 1_001, max = 200_000) int depth, @ForAll boolean objects) {
        String open = objects ? "{\"a\":" : "[";
        String close = objects ? "}" : "]";
        byte[] body = ("[" + open.repeat(depth) + "1" + close.repeat(depth) + "]").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> WebhookBody.parse(body)).isInstanceOf(RequestRejected.class);
    }

    @Example
    void hugeStringsAndArraysAreReadWithinTheBodyLimit() {
        String huge = "x".repeat(4 * 1024 * 1024);
        List<ReceivedEvent> one = WebhookBody.parse(("[{\"message_type\":\"security_event\",\"message\":{\"humanized_description\":\""
                + huge + "\"}}]").getBytes(StandardCharsets.UTF_8));
        assertThat(one).hasSize(1);
        assertRendersWithinBounds(one.get(0));

        List<ReceivedEvent> many = WebhookBody.parse(("[" + "{}," .repeat(500_000) + "{}]").getBytes(StandardCharsets.UTF_8));
        assertThat(many).hasSize(500_001);
    }

    @Property(tries = 1000)
    void anyEventHasAShortPrintableKeyAndRendersWithinBounds(@ForAll("events") ObjectNode event) throws Exception {
        byte[] body = JSON.writeValueAsBytes(JsonNodeFactory.instance.arrayNode().add(event));
        List<ReceivedEvent> received = WebhookBody.parse(body);
        assertThat(received).hasSize(1);
        assertRendersWithinBounds(received.get(0));
    }

    private static void assertRendersWithinBounds(ReceivedEvent received) {
        SqreenEvent view = SqreenEvents.normalize(received.json());
        assertThat(view.key()).matches("[\\x21-\\x7e]{1,300}");
        AcceptedEvent event = new AcceptedEvent(view.key(), true, 0, received.source());
        assertThat(EmailMessage.subject(event)).doesNotContain("\r", "\n").hasSizeLessThan(2_000);
        assertThat(TwilioSms.text(event).length()).isLessThanOrEqualTo(TwilioSms.MAX_BODY);
        assertThat(SlackMessage.text(event, "relay")).isNotNull();
        assertThat(NotificationText.oneLine(view.title() == null ? "" : view.title())).doesNotContain("\n", "\r");
    }

    private static void assertParsesOrIs422(byte[] body) {
        Throwable thrown = catchThrowable(() -> WebhookBody.parse(body));
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(RequestRejected.class);
            assertThat(((RequestRejected) thrown).getStatus()).isEqualTo(422);
        }
    }

    @Provide
    Arbitrary<byte[]> realBodies() {
        return Arbitraries.of(Vectors.all().stream().map(v -> v.body().getBytes(StandardCharsets.UTF_8)).toList());
    }

    /** Event objects of both wire formats, every field any JSON value, strings with any code point. */
    @Provide
    Arbitrary<ObjectNode> events() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(200);
        Arbitrary<JsonNode> scalar = Arbitraries.oneOf(
                text.map(JsonNodeFactory.instance::textNode),
                Arbitraries.longs().map(JsonNodeFactory.instance::numberNode),
                Arbitraries.doubles().map(JsonNodeFactory.instance::numberNode),
                Arbitraries.of(true, false).map(JsonNodeFactory.instance::booleanNode),
                Arbitraries.just(JsonNodeFactory.instance.nullNode()));
        Arbitrary<JsonNode> value = Arbitraries.lazyOf(
                () -> scalar,
                () -> scalar.list().ofMaxSize(5).map(values -> {
                    ArrayNode array = JsonNodeFactory.instance.arrayNode();
                    values.forEach(array::add);
                    return array;
                }));
        List<String> fields = List.of("event_id", "id", "application_id", "application_name", "environment",
                "humanized_description", "event_category", "event_kind", "date_occurred", "url", "ips", "address",
                "sqreen_payload_type", "message_type", "message", "retry_count", "date_created");
        Arbitrary<ObjectNode> body = Arbitraries.maps(Arbitraries.oneOf(Arbitraries.of(fields), text), value)
                .ofMaxSize(12)
                .map(map -> {
                    ObjectNode node = JsonNodeFactory.instance.objectNode();
                    map.forEach(node::set);
                    return node;
                });
        return Arbitraries.oneOf(
                body.map(b -> {                      // v2 envelope
                    ObjectNode envelope = JsonNodeFactory.instance.objectNode();
                    envelope.put("message_type", "security_event");
                    envelope.set("message", b);
                    return envelope;
                }),
                body.map(b -> b.put("sqreen_payload_type", "security_event")),   // v1
                body);                                                           // neither
    }
}
