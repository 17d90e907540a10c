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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a verified webhook body: a JSON array of event objects, or one object that is itself a Sqreen event.
 * Each element keeps its exact source bytes. Anything else is refused whole with a 422.
 */
public final class WebhookBody {

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    private WebhookBody() {
    }

    public static List<ReceivedEvent> parse(byte[] body) {
        try (JsonParser parser = MAPPER.createParser(body)) {
            JsonToken first = parser.nextToken();
            List<ReceivedEvent> events;
            if (first == JsonToken.START_ARRAY) {
                events = readArray(parser, body);
            } else if (first == JsonToken.START_OBJECT) {
                ReceivedEvent single = readObject(parser, body);
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

    private static List<ReceivedEvent> readArray(JsonParser parser, byte[] body) throws IOException {
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

    /** Reads the object the parser stands at, with the exact bytes it spans. */
    private static ReceivedEvent readObject(JsonParser parser, byte[] body) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        JsonNode json = parser.readValueAsTree();
        int end = (int) parser.currentLocation().getByteOffset();
        return new ReceivedEvent(json, new String(body, start, end - start, StandardCharsets.UTF_8));
    }
}
