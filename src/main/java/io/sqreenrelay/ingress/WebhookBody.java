package io.sqreenrelay.ingress;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sqreenrelay.event.ReceivedEvent;
import io.sqreenrelay.event.SqreenEvents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a verified webhook body: a JSON array of event objects, or one object that is itself a Sqreen event.
 * Each element keeps its exact source bytes. Anything else is refused whole with a 422.
 *
 * <p>The body must be UTF-8 (RFC 8259 section 8.1): it is decoded strictly first, so invalid or overlong sequences,
 * encoded surrogates ({@code ED A0 80}) and truncated sequences are a 422, never replaced by U+FFFD; JSON is then read
 * from the decoded text, never from the bytes (Jackson would detect UTF-16 or UTF-32 bytes and read them too). A
 * valid UTF-8 body decodes and encodes back to the same bytes, so what is accepted travels on exactly as received.
 */
public final class WebhookBody {

    private static final ObjectMapper MAPPER = SqreenEvents.exactNumbers(new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build()));

    private WebhookBody() {
    }

    public static List<ReceivedEvent> parse(byte[] body) {
        String text = utf8(body);
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonToken first = parser.nextToken();
            List<ReceivedEvent> events;
            if (first == JsonToken.START_ARRAY) {
                events = readArray(parser, text);
            } else if (first == JsonToken.START_OBJECT) {
                ReceivedEvent single = readObject(parser, text);
                if (!SqreenEvents.isEvent(single.json())) {
                    throw RequestRejected.unprocessable(
                            "body must be a JSON array of events, or one event object with message_type or sqreen_payload_type");
                }
                events = List.of(single);
            } else {
                throw RequestRejected.unprocessable("body must be a JSON array of events");
            }
            if (parser.nextToken() != null) {
                throw RequestRejected.unprocessable("body has content after the JSON value");
            }
            return events;
        } catch (IOException e) {
            // Jackson's message quotes the input: never echo it back
            throw RequestRejected.unprocessable("body is not valid JSON");
        }
    }

    /** The body as text, or a 422 when it is not UTF-8. */
    static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw RequestRejected.unprocessable("body is not valid UTF-8");
        }
    }

    private static List<ReceivedEvent> readArray(JsonParser parser, String body) throws IOException {
        List<ReceivedEvent> events = new ArrayList<>();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (token == null) {
                throw RequestRejected.unprocessable("body is not valid JSON");
            }
            if (token != JsonToken.START_OBJECT) {
                throw RequestRejected.unprocessable("event " + events.size() + " is not a JSON object");
            }
            events.add(readObject(parser, body));
        }
        return events;
    }

    /** Reads the object the parser stands at, with the exact text it spans. */
    private static ReceivedEvent readObject(JsonParser parser, String body) throws IOException {
        int start = (int) parser.currentTokenLocation().getCharOffset();
        JsonNode json = parser.readValueAsTree();
        int end = (int) parser.currentLocation().getCharOffset();
        return new ReceivedEvent(json, body.substring(start, end));
    }
}
