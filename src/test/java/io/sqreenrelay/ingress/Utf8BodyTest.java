package io.sqreenrelay.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqreenrelay.event.ReceivedEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12, fault 6 and its kind: a body that is not UTF-8 is a 422 (RFC 8259 section 8.1; RFC 3629 for what UTF-8
 * is), whatever the way it is not; an accepted body's events keep their exact bytes.
 */
class Utf8BodyTest {

    private static final String EVENT = "[{\"sqreen_payload_type\":\"test\",\"humanized_title\":\"%s\"}]";

    /** The title's bytes spliced into an otherwise valid event. */
    private static byte[] withTitleBytes(String hex) {
        String[] parts = EVENT.split("%s");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(parts[0].getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(HexFormat.of().parseHex(hex));
        out.writeBytes(parts[1].getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static Stream<Arguments> notUtf8() {
        return Stream.of(
                Arguments.of("a UTF-8-encoded surrogate (the reported input)", withTitleBytes("EDA080")),
                Arguments.of("a low surrogate", withTitleBytes("EDBFBF")),
                Arguments.of("a surrogate pair encoded as two 3-byte sequences (CESU-8)", withTitleBytes("EDA0BDEDB880")),
                Arguments.of("an overlong '/'", withTitleBytes("C0AF")),
                Arguments.of("an overlong NUL", withTitleBytes("C080")),
                Arguments.of("an overlong 3-byte form", withTitleBytes("E080AF")),
                Arguments.of("a code point above U+10FFFF", withTitleBytes("F4908080")),
                Arguments.of("a truncated 3-byte sequence", withTitleBytes("E282")),
                Arguments.of("a lone continuation byte", withTitleBytes("80")),
                Arguments.of("Latin-1", withTitleBytes("E9")),
                Arguments.of("0xFF", withTitleBytes("FF")),
                Arguments.of("a truncated sequence at the very end", concat(EVENT.formatted("x").getBytes(StandardCharsets.UTF_8),
                        new byte[] {(byte) 0xE2, (byte) 0x82})),
                Arguments.of("UTF-16BE with BOM", ("\uFEFF" + EVENT.formatted("x")).getBytes(StandardCharsets.UTF_16BE)),
                Arguments.of("UTF-16LE with BOM", ("\uFEFF" + EVENT.formatted("x")).getBytes(StandardCharsets.UTF_16LE)),
                Arguments.of("UTF-16LE without BOM", EVENT.formatted("x").getBytes(StandardCharsets.UTF_16LE)),
                Arguments.of("UTF-16BE without BOM", EVENT.formatted("x").getBytes(StandardCharsets.UTF_16BE)),
                Arguments.of("UTF-32BE", EVENT.formatted("x").getBytes(Charset.forName("UTF-32BE"))),
                Arguments.of("UTF-32LE", EVENT.formatted("x").getBytes(Charset.forName("UTF-32LE"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notUtf8")
    void aBodyThatIsNotUtf8IsA422(String what, byte[] body) {
        assertThatThrownBy(() -> WebhookBody.parse(body))
                .isInstanceOfSatisfying(RequestRejected.class, e -> assertThat(e.getStatus()).isEqualTo(422));
    }

    @Test
    void validUtf8TravelsAsTheExactBytesReceived() {
        // 2-, 3- and 4-byte sequences, the largest code point, U+2028, an escaped lone surrogate (valid JSON text)
        byte[] body = withTitleBytes("C3A9" + "E29883" + "F09F9880" + "F48FBFBF" + "E280A8" + "5C7564383030");
        List<ReceivedEvent> events = WebhookBody.parse(body);
        byte[] forwarded = events.get(0).source().getBytes(StandardCharsets.UTF_8);
        assertThat(concat(new byte[] {'['}, forwarded, new byte[] {']'})).isEqualTo(body);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
