package io.sqreenrelay.delivery;

import static io.sqreenrelay.delivery.NotificationText.INTERNAL_TAG;
import static io.sqreenrelay.delivery.NotificationText.oneLine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.SqreenEvent;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * An incoming-webhook message for an event: title, type, application, environment, date, addresses and a link;
 * an internal alert starts with a siren and {@code [INTERNAL SECURITY ALERT]} in bold.
 *
 * <p>Event text is data, never markup: Slack's control characters {@code & < >} are escaped, so a title holding
 * {@code <!channel>} or a link of its own shows as text. The webhook URL is a secret: it only travels in the
 * request's target header, never in an endpoint URI that Camel might log.
 */
public final class SlackMessage implements Processor {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SAFE_LINK = Pattern.compile("https?://[^\\s<>|&\"]+");
    private final TargetUrl webhook;
    private final String appName;

    public SlackMessage(TargetUrl webhook, String appName) {
        this.webhook = webhook;
        this.appName = appName;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        AcceptedEvent event = exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class);
        ObjectNode payload = JSON.createObjectNode().put("text", text(event, appName));
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        webhook.applyTo(exchange.getMessage());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getMessage().setBody(JSON.writeValueAsString(payload).getBytes(StandardCharsets.UTF_8));
    }

    public static String text(AcceptedEvent event, String appName) {
        SqreenEvent view = NotificationText.view(event);
        StringBuilder text = new StringBuilder(512);
        if (event.internal()) {
            text.append(":rotating_light: *").append(INTERNAL_TAG).append("* ")
                    .append(escape(appName)).append(" itself is concerned\n");
        }
        text.append('*').append(escape(view.title())).append("*\n");
        text.append(escape(view.type()));
        part(text, "app", view.applicationName());
        part(text, "env", view.environment());
        part(text, "date", view.date());
        if (!view.ips().isEmpty()) {
            part(text, "IPs", String.join(", ", view.ips()));
        }
        if (view.link() != null) {
            text.append('\n');
            if (SAFE_LINK.matcher(view.link()).matches() && view.link().length() <= 2000) {
                text.append('<').append(view.link()).append("|Open in Sqreen>");
            } else {
                text.append(escape(view.link()));
            }
        }
        return text.toString();
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
