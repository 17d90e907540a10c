package io.sqreenrelay.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.SqreenEvent;
import io.sqreenrelay.event.SqreenEvents;

/**
 * Renders an accepted event for people. Text that comes from an event is data: it never splits a line, and
 * it is cut to a readable length.
 */
public final class NotificationText {

    public static final String INTERNAL_TAG = "[INTERNAL SECURITY ALERT]";
    private static final int MAX_FIELD = 300;
    private static final ObjectMapper MAPPER = SqreenEvents.exactNumbers(new ObjectMapper());

    /** The normalized view of an accepted event. */
    public static SqreenEvent view(AcceptedEvent event) {
        try {
            return SqreenEvents.normalize(MAPPER.readTree(event.source()), event.source());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored event " + event.key() + " is not JSON", e);
        }
    }

    /**
     * What happened, on one line, for mail subjects, mail bodies and texts: {@code Sqreen <type>: <title>}, after
     * {@code [INTERNAL SECURITY ALERT] } when {@code tagged}.
     */
    public static String headline(SqreenEvent view, boolean tagged) {
        return (tagged ? INTERNAL_TAG + " " : "") + "Sqreen " + oneLine(view.type()) + ": " + oneLine(view.title());
    }

    /** One log line: the internal-alert tag first when it applies, then what, where, when, who and the link. */
    public String logLine(AcceptedEvent event) {
        SqreenEvent view = view(event);
        StringBuilder line = new StringBuilder(256);
        if (event.internal()) {
            line.append(INTERNAL_TAG).append(' ');
        }
        line.append(oneLine(view.type())).append(": \"").append(oneLine(view.title())).append('"');
        field(line, "app", view.applicationName());
        field(line, "app_id", view.applicationId());
        field(line, "env", view.environment());
        field(line, "date", view.date());
        if (!view.ips().isEmpty()) {
            field(line, "ips", String.join(",", view.ips()));
        }
        field(line, "link", view.link());
        field(line, "key", event.key());
        return line.toString();
    }

    private static void field(StringBuilder line, String name, String value) {
        if (value != null) {
            line.append(' ').append(name).append('=').append(oneLine(value));
        }
    }

    /** Text fit for an HTTP or mail header value: printable ASCII only, anything else percent-encoded. */
    public static String headerSafe(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if (b > 0x20 && b < 0x7f && b != '%') {
                out.append((char) b);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /**
     * The text on one line: control characters, line and paragraph separators become visible escapes
     * ({@code \n}, {@code \u2028}), and the text is cut at {@value #MAX_FIELD} characters.
     */
    public static String oneLine(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_FIELD) + 8);
        int i = 0;
        for (; i < text.length() && out.length() < MAX_FIELD; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (i < text.length()) {
            out.append("...");
        }
        return out.toString();
    }
}
