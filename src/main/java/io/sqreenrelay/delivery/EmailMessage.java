package io.sqreenrelay.delivery;

import static io.sqreenrelay.delivery.NotificationText.INTERNAL_TAG;
import static io.sqreenrelay.delivery.NotificationText.oneLine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.SqreenEvents;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * One plain-text mail for an event: the subject says what happened (with {@code [INTERNAL SECURITY ALERT]} first
 * for an internal alert), the body gives every useful field, the Sqreen link, and the event as Sqreen sent it.
 *
 * <p>Its headers: {@code From} ({@code MAIL_FROM}), {@code To} (the one recipient in the exchange property
 * {@value Recipients#RECIPIENT}: each recipient gets a mail of their own, and succeeds or fails on their own), and
 * {@code Subject}. Addresses travel as headers, verbatim, never through an endpoint URI, where Camel would decode a
 * {@code +} into a space or split at a {@code &}. Event text never reaches a header raw: control characters (CR, LF,
 * NUL...) become visible escapes, so a title cannot add a header or a recipient.
 */
public final class EmailMessage implements Processor {

    private static final ObjectMapper JSON = SqreenEvents.exactNumbers(new ObjectMapper());
    private final String appName;
    private final String from;

    public EmailMessage(String appName, String from) {
        this.appName = appName;
        this.from = from;
    }

    @Override
    public void process(Exchange exchange) {
        AcceptedEvent event = exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class);
        exchange.getMessage().setHeader("From", from);
        exchange.getMessage().setHeader("To", exchange.getProperty(Recipients.RECIPIENT, String.class));
        exchange.getMessage().setHeader("Subject", subject(event));
        exchange.getMessage().setBody(body(event));
    }

    public static String subject(AcceptedEvent event) {
        StringBuilder subject = new StringBuilder(NotificationText.headline(event, event.internal()));
        if (event.applicationName() != null) {
            subject.append(" (").append(oneLine(event.applicationName()));
            if (event.environment() != null) {
                subject.append(", ").append(oneLine(event.environment()));
            }
            subject.append(')');
        }
        return subject.toString();
    }

    public String body(AcceptedEvent event) {
        StringBuilder body = new StringBuilder(1024);
        if (event.internal()) {
            body.append(INTERNAL_TAG).append(" This event concerns ").append(oneLine(appName))
                    .append(", the application that relays these alerts.\n\n");
        }
        body.append(NotificationText.headline(event, false)).append("\n\n");
        line(body, "Application", event.applicationName());
        line(body, "Application id", event.applicationId());
        line(body, "Environment", event.environment());
        line(body, "Date", event.date());
        if (!event.ips().isEmpty()) {
            line(body, "IP addresses", String.join(", ", event.ips()));
        }
        line(body, "Link", event.link());
        line(body, "Event key", event.key());
        line(body, "Received", Instant.ofEpochMilli(event.receivedAt()).toString());
        body.append("\nThe event as Sqreen sent it:\n").append(pretty(event.source())).append('\n');
        return body.toString();
    }

    private static void line(StringBuilder body, String name, String value) {
        if (value != null) {
            body.append(String.format("%-15s %s%n", name + ":", oneLine(value)));
        }
    }

    private static String pretty(String json) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            return json;
        }
    }
}
