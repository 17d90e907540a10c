package io.sqreenrelay.delivery;

import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.Digest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders an accepted event for people. Text that comes from an event is data: it never splits a line, and
 * it is cut to a readable length.
 */
public final class NotificationText {

    public static final String INTERNAL_TAG = "[INTERNAL SECURITY ALERT]";
    private static final int MAX_FIELD = 300;

    /**
     * What happened, on one line, for mail subjects, mail bodies and texts: {@code Sqreen <type>: <title>}, after
     * {@code [INTERNAL SECURITY ALERT] } when {@code tagged}.
     */
    public static String headline(AcceptedEvent event, boolean tagged) {
        return (tagged ? INTERNAL_TAG + " " : "") + "Sqreen " + oneLine(event.type()) + ": " + oneLine(event.title());
    }

    /**
     * A digest's headline, on one line: {@code Sqreen digest: <count> <type> events (<app>, <env>)}, after
     * {@code [INTERNAL SECURITY ALERT] } when {@code tagged}. The count is in digits.
     */
    public static String digestHeadline(AcceptedEvent digest, boolean tagged) {
        StringBuilder line = new StringBuilder(tagged ? INTERNAL_TAG + " " : "");
        line.append("Sqreen digest: ").append(digest.digest().count()).append(' ').append(oneLine(digest.type()))
                .append(digest.digest().count() == 1 ? " event" : " events");
        if (digest.applicationName() != null || digest.applicationId() != null) {
            line.append(" (").append(oneLine(digest.applicationName() != null ? digest.applicationName()
                    : digest.applicationId()));
            if (digest.environment() != null) {
                line.append(", ").append(oneLine(digest.environment()));
            }
            line.append(')');
        }
        return line.toString();
    }

    /** When the digest's first and last events were accepted: {@code <first> to <last>}, UTC to the second. */
    public static String digestSpan(Digest digest) {
        return time(digest.firstAt()) + " to " + time(digest.lastAt());
    }

    /** The digest's titles, one line each (as {@link #oneLine}), then {@code and <n> more} when there are more. */
    public static List<String> digestTitles(Digest digest) {
        List<String> lines = new ArrayList<>(digest.titles().size() + 1);
        digest.titles().forEach(title -> lines.add(oneLine(title)));
        if (digest.more() > 0) {
            lines.add("and " + digest.more() + " more");
        }
        return lines;
    }

    /** An instant (epoch milliseconds) in ISO-8601, UTC, to the second. */
    public static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** One log line: the internal-alert tag first when it applies, then what, where, when, who and the link. */
    public String logLine(AcceptedEvent event) {
        StringBuilder line = new StringBuilder(256);
        if (event.internal()) {
            line.append(INTERNAL_TAG).append(' ');
        }
        line.append(oneLine(event.type())).append(": \"").append(oneLine(event.title())).append('"');
        field(line, "app", event.applicationName());
        field(line, "app_id", event.applicationId());
        field(line, "env", event.environment());
        field(line, "date", event.date());
        if (!event.ips().isEmpty()) {
            field(line, "ips", String.join(",", event.ips()));
        }
        field(line, "link", event.link());
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
