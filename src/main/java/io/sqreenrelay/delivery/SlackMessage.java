package io.sqreenrelay.delivery;

import static io.sqreenrelay.delivery.NotificationText.INTERNAL_TAG;
import static io.sqreenrelay.delivery.NotificationText.oneLine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sqreenrelay.event.AcceptedEvent;
import java.util.regex.Pattern;
import org.apache.camel.ExchangeProperty;

/**
 * An incoming-webhook message for an event: title, type, application, environment, date, addresses and a link;
 * an internal alert starts with a siren and {@code [INTERNAL SECURITY ALERT]} in bold.
 *
 * <p>Event text is data, never markup: Slack's control characters {@code & < >} are escaped, so a title holding
 * {@code <!channel>} or a link of its own shows as text. The webhook URL is a secret: it only travels in the
 * request's {@code CamelHttpUri} header, set in routes/target-slack.yaml, never in an endpoint URI that Camel might log.
 */
public final class SlackMessage {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SAFE_LINK = Pattern.compile("https?://[^\\s<>|&\"]+");
    private final String appName;

    public SlackMessage(String appName) {
        this.appName = appName;
    }

    /** The incoming-webhook payload, {@code {"text": ...}}, as JSON text. */
    public String payload(@ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event)
            throws JsonProcessingException {
        ObjectNode payload = JSON.createObjectNode().put("text", text(event, appName));
        return JSON.writeValueAsString(payload);
    }

    public static String text(AcceptedEvent event, String appName) {
        StringBuilder text = new StringBuilder(512);
        if (event.internal()) {
            text.append(":rotating_light: *").append(INTERNAL_TAG).append("* ")
                    .append(escape(appName)).append(" itself is concerned\n");
        }
        if (event.digest() != null) {
            digest(text, event);
            return text.toString();
        }
        text.append('*').append(escape(event.title())).append("*\n");
        text.append(escape(event.type()));
        part(text, "app", event.applicationName());
        part(text, "env", event.environment());
        part(text, "date", event.date());
        if (!event.ips().isEmpty()) {
            part(text, "IPs", String.join(", ", event.ips()));
        }
        link(text, event);
        return text.toString();
    }

    /** A digest: headline in bold, time span, up to 10 titles as a list and how many more, the link. */
    private static void digest(StringBuilder text, AcceptedEvent event) {
        text.append('*').append(escape(NotificationText.digestHeadline(event, false))).append("*\n");
        text.append(escape(NotificationText.digestSpan(event.digest())));
        for (String title : NotificationText.digestTitles(event.digest())) {
            text.append("\n• ").append(escape(title));
        }
        link(text, event);
    }

    private static void link(StringBuilder text, AcceptedEvent event) {
        if (event.link() != null) {
            text.append('\n');
            if (SAFE_LINK.matcher(event.link()).matches() && event.link().length() <= 2000) {
                text.append('<').append(event.link()).append("|Open in Sqreen>");
            } else {
                text.append(escape(event.link()));
            }
        }
    }

    private static void part(StringBuilder text, String name, String value) {
        if (value != null) {
            text.append(" · ").append(name).append(' ').append(escape(value));
        }
    }

    /** Slack's three control characters, escaped as Slack asks; one line, cut to a readable length. */
    public static String escape(String value) {
        return oneLine(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
