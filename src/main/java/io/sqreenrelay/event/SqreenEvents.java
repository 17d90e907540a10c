package io.sqreenrelay.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Derives the {@link SqreenEvent} view from a Sqreen event object, v1 or v2.
 *
 * <p>v1 events are flat, typed by {@code sqreen_payload_type}. v2 events are an envelope
 * ({@code message_id, api_version, date_created, message_type, retry_count, message}) whose fields of
 * interest live in {@code message}.
 */
public final class SqreenEvents {

    /** v2 envelope fields that change when Sqreen retries a notification: never part of the key. */
    private static final List<String> RETRY_VARYING_FIELDS = List.of("retry_count", "date_created");
    /** Reads an event's source text for its content hash. */
    private static final JsonFactory CANONICAL_READER = new JsonFactory();

    private static final Pattern PLAIN_KEY_PART = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final int MAX_IPS = 50;

    private SqreenEvents() {
    }

    /**
     * Makes {@code mapper} read numbers exactly, as every reader of events must for their keys to be lossless:
     * decimals as {@link java.math.BigDecimal} with their digits and scale as written ({@code 1.10} stays
     * {@code 1.10}), never as doubles (which cannot tell {@code 1600000000.1234567} from {@code 1600000000.1234568}).
     */
    public static ObjectMapper exactNumbers(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        mapper.configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
        return mapper;
    }

    /** True when {@code node} is itself a Sqreen event (it has a {@code message_type} or {@code sqreen_payload_type}). */
    public static boolean isEvent(JsonNode node) {
        return node != null && node.isObject()
                && (node.has("message_type") || node.has("sqreen_payload_type"));
    }

    /**
     * The view of an event read without its source text at hand: its content hash reads numbers as the tree holds
     * them ({@link #exactNumbers} keeps digits and scale, not the literal: {@code 1E2} and {@code 1e+2} agree). The
     * relay's own readers use {@link #normalize(JsonNode, String)}.
     */
    public static SqreenEvent normalize(JsonNode event) {
        return normalize(event, event.toString());
    }

    /**
     * The view of {@code event}, whose exact source text is {@code source} (the same object as sent): its key's content
     * hash reads every number by its literal text in {@code source} (SPEC, "Events": {@code 1e2}, {@code 1E2},
     * {@code 100}, {@code -0} and {@code 0} are different values).
     *
     * @throws IllegalArgumentException when {@code source} is not JSON (it was parsed before: never for the relay's own)
     */
    public static SqreenEvent normalize(JsonNode event, String source) {
        boolean v2 = isV2(event);
        JsonNode body = v2 ? event.path("message") : event;
        JsonNode application = body.path("application");

        String type = firstText(event.path("message_type"), event.path("sqreen_payload_type"));
        if (type == null) {
            type = "unknown";
        }
        String applicationId = firstText(body.path("application_id"), application.path("id"));
        String title = firstText(body.path("humanized_title"), body.path("humanized_description"),
                body.path("playbook").path("name"));
        if (title == null) {
            title = humanize(type);
        }
        return new SqreenEvent(
                v2 ? "v2" : "v1",
                type,
                title,
                applicationId,
                firstText(body.path("application_name"), application.path("name")),
                firstText(body.path("environment"), application.path("environment")),
                firstText(body.path("date_occurred"), body.path("date_started"), body.path("date_created"),
                        event.path("date_created")),
                firstText(body.path("url"), body.path("event_url")),
                ips(body),
                risk(body.path("risk"), body.path("risk_coefficient")),
                eventKey(event, source, v2, type, applicationId));
    }

    /** v2 when the object is an envelope: {@code message_type} beside a {@code message} object. */
    static boolean isV2(JsonNode event) {
        return event.has("message_type") && event.path("message").isObject();
    }

    /**
     * The de-duplication key: scoped by application and type, then the event's own id, or a hash of its
     * content where it has none. Sqreen's retries change the envelope's {@code retry_count} and
     * {@code date_created}; neither is part of the key.
     */
    static String eventKey(JsonNode event, String source, boolean v2, String type, String applicationId) {
        JsonNode body = v2 ? event.path("message") : event;
        String id = firstText(body.path("event_id"), body.path("id"));
        String identity = id != null ? "id-" + keyPart(id) : "sha-" + contentHash(source, v2 ? RETRY_VARYING_FIELDS : List.of());
        return keyPart(applicationId == null ? "none" : applicationId) + ":" + keyPart(type) + ":" + identity;
    }

    /** Key parts stay short and printable: anything else is replaced by its hash. */
    private static String keyPart(String value) {
        return PLAIN_KEY_PART.matcher(value).matches() ? value : "h" + sha256(quoted(value)).substring(0, 32);
    }

    /**
     * A hash of the content of the JSON object {@code source} that ignores field order (objects are sets of named
     * values, RFC 8259 section 4), formatting and the top-level fields {@code ignored}, and nothing else: numbers by
     * their literal text ({@code 1.10}, {@code 1.1}, {@code 1e2}, {@code 1E2}, {@code -0} all differ), strings by their
     * exact characters (an escape and the character it stands for are the same value; lone surrogates included), so
     * two events that differ in any value get different hashes. Read with a streaming parser: a tree keeps no literal.
     */
    static String contentHash(String source, List<String> ignored) {
        try (JsonParser parser = CANONICAL_READER.createParser(source)) {
            parser.nextToken();
            StringBuilder canonical = new StringBuilder(source.length());
            writeCanonical(parser, canonical, ignored);
            return sha256(canonical.toString()).substring(0, 32);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON value", e);
        }
    }

    private static void writeCanonical(JsonParser parser, StringBuilder out, List<String> ignored) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            Map<String, String> sorted = new TreeMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (ignored.contains(name)) {
                    parser.skipChildren();
                } else {
                    StringBuilder value = new StringBuilder();
                    writeCanonical(parser, value, List.of());
                    sorted.put(name, value.toString());
                }
            }
            out.append('{');
            sorted.forEach((name, value) -> out.append(quoted(name)).append(':').append(value).append(','));
            out.append('}');
        } else if (token == JsonToken.START_ARRAY) {
            out.append('[');
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                writeCanonical(parser, out, List.of());
                out.append(',');
            }
            out.append(']');
        } else if (token == JsonToken.VALUE_STRING) {
            out.append(quoted(parser.getText()));
        } else {
            out.append(parser.getText());   // a number's literal text as written, true, false, null
        }
    }

    /** A string as quoted ASCII: every character outside printable ASCII as its UTF-16 escape, so that hashing the
     * text's bytes loses nothing (a lone surrogate has no UTF-8 form of its own). */
    private static String quoted(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append('"').toString();
    }

    private static List<String> ips(JsonNode body) {
        List<String> ips = new ArrayList<>();
        collectIps(body.path("ips"), "address", ips);
        collectIps(body.path("new_related_ips"), "address", ips);
        collectIps(body.path("properties").path("ips"), "ip_cidr", ips);
        return List.copyOf(ips);
    }

    private static void collectIps(JsonNode array, String field, List<String> into) {
        if (!array.isArray()) {
            return;
        }
        for (Iterator<JsonNode> it = array.elements(); it.hasNext() && into.size() < MAX_IPS; ) {
            String ip = text(it.next().path(field));
            if (ip != null && !into.contains(ip)) {
                into.add(ip);
            }
        }
    }

    /** The first of the nodes that is a number, exactly as written (with {@link #exactNumbers}); null when none is. */
    private static BigDecimal risk(JsonNode... candidates) {
        for (JsonNode candidate : candidates) {
            if (candidate.isNumber()) {
                return candidate.decimalValue();
            }
        }
        return null;
    }

    /** The first of the nodes that is a non-blank string or a number, as text; null when none is. */
    private static String firstText(JsonNode... candidates) {
        for (JsonNode candidate : candidates) {
            String text = text(candidate);
            if (text != null) {
                return text;
            }
        }
        return null;
    }

    private static String text(JsonNode node) {
        if (node == null || !(node.isTextual() || node.isNumber())) {
            return null;
        }
        String text = node.asText();
        return text.isBlank() ? null : text;
    }

    /** {@code account_takeover} becomes {@code Account takeover}. */
    static String humanize(String type) {
        String words = type.replace('_', ' ').trim();
        return words.isEmpty() ? "Sqreen event" : Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
