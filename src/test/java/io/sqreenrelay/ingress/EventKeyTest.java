package io.sqreenrelay.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqreenrelay.event.SqreenEvents;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12, fault 7 and its kind: the event key of an id-less event, read as ingress reads it, is lossless: two
 * events that differ in any value get different keys. Equal values written differently (field order, white space,
 * an escape for the character itself) are the same event: the policy is that of JSON's data model, objects being
 * unordered (RFC 8259 section 4), strings by their characters; numbers by their exact literal text (SPEC, "Events":
 * 1.10 is not 1.1, 100 is not 1e2, 1E2 is not 1e+2, -0 is not 0), never as doubles.
 */
class EventKeyTest {

    private static final String EVENT = "{\"message_id\":null,\"api_version\":\"2\",\"message_type\":\"http_scan\","
            + "\"retry_count\":0,\"message\":{\"application_id\":\"app\",\"v\":%s}}";

    private static String key(String value) {
        byte[] body = ("[" + EVENT.formatted(value) + "]").getBytes(StandardCharsets.UTF_8);
        return keyOf(WebhookBody.parse(body).get(0));
    }

    /** The key as ingress makes it: from the parsed event and its exact source text. */
    private static String keyOf(io.sqreenrelay.event.ReceivedEvent event) {
        return SqreenEvents.normalize(event.json(), event.source()).key();
    }

    static Stream<Arguments> differentValues() {
        return Stream.of(
                Arguments.of("1600000000.1234567", "1600000000.1234568"),     // the reported input: equal as doubles
                Arguments.of("0.1", "0.1000000000000000055511151231257827"),
                Arguments.of("1.10", "1.1"),
                Arguments.of("100", "1e2"),
                Arguments.of("1E2", "1e+2"),                                  // the same decimal, not the same text
                Arguments.of("1e2", "1E2"),
                Arguments.of("1e2", "1e02"),
                Arguments.of("1e-2", "1E-2"),
                Arguments.of("0", "-0"),
                Arguments.of("0.0", "-0.0"),
                Arguments.of("1.0", "1.00"),
                Arguments.of("1e400", "2e400"),                               // both infinite as doubles
                Arguments.of("12345678901234567890", "12345678901234567891"), // beyond long
                Arguments.of("9007199254740993", "9007199254740992"),         // beyond a double's integers
                Arguments.of("1", "\"1\""),
                Arguments.of("null", "\"null\""),
                Arguments.of("\"\\ud800\"", "\"\\ud801\""),                   // lone surrogates: both '?' in UTF-8
                Arguments.of("\"a\\u0000\"", "\"a\""),
                Arguments.of("\"\\u00e9\"", "\"e\\u0301\""),                  // é precomposed and decomposed
                Arguments.of("\"a\\\"b\"", "\"a\\\\\\\"b\""),
                Arguments.of("{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":3}"),
                Arguments.of("[1,2]", "[2,1]"),
                Arguments.of("{\"a\":\"b:c\"}", "{\"a:b\":\"c\"}"),
                Arguments.of("[\"a,b\"]", "[\"a\",\"b\"]"));
    }

    @ParameterizedTest(name = "{0} vs {1}")
    @MethodSource("differentValues")
    void eventsThatDifferInAnyValueGetDifferentKeys(String one, String other) {
        assertThat(key(one)).isNotEqualTo(key(other));
    }

    static Stream<Arguments> sameValues() {
        return Stream.of(
                Arguments.of("{\"a\":1,\"b\":2}", "{ \"b\" : 2 , \"a\" : 1 }"),
                Arguments.of("\"A\\u00e9\"", "\"A\u00e9\""),
                Arguments.of("\"\\u0041\"", "\"A\""),
                Arguments.of("\"\\/\"", "\"/\""),
                Arguments.of("[1e2, -0]", "[ 1e2 ,-0 ]"));
    }

    @ParameterizedTest(name = "{0} vs {1}")
    @MethodSource("sameValues")
    void theSameValuesWrittenDifferentlyAreTheSameEvent(String one, String other) {
        assertThat(key(one)).isEqualTo(key(other));
    }

    @ParameterizedTest(name = "ids {0} vs {1}")
    @MethodSource("differentIds")
    void differentIdsGiveDifferentKeys(String one, String other) {
        String event = "[{\"sqreen_payload_type\":\"security_event\",\"application_id\":\"app\",\"id\":%s}]";
        List<String> keys = Stream.of(one, other)
                .map(id -> keyOf(WebhookBody.parse(event.formatted(id).getBytes(StandardCharsets.UTF_8)).get(0)))
                .toList();
        assertThat(keys.get(0)).isNotEqualTo(keys.get(1));
    }

    static Stream<Arguments> differentIds() {
        return Stream.of(
                Arguments.of("1.0000000000000001", "1.0"),
                Arguments.of("\"\\ud800x\"", "\"\\ud801x\""),
                Arguments.of("\"" + "x".repeat(70) + "\\ud800\"", "\"" + "x".repeat(70) + "\\udfff\""));
    }
}
