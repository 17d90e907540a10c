package io.sqreenrelay.delivery;

import static io.sqreenrelay.delivery.NotificationText.INTERNAL_TAG;
import static io.sqreenrelay.delivery.NotificationText.oneLine;

import io.sqreenrelay.event.AcceptedEvent;
import java.time.Instant;
import org.apache.camel.ExchangeProperty;

/**
 * One plain-text mail for an event: the subject says what happened (with {@code [INTERNAL SECURITY ALERT]} first
 * for an internal alert), the body gives every useful field, the Sqreen link, and the event as Sqreen sent it.
 *
 * <p>The mail's headers are set in routes/target-email.yaml: {@code From} ({@code MAIL_FROM}), {@code To} (the one
 * recipient in the exchange property {@value Recipients#RECIPIENT}: each recipient gets a mail of their own, and
 * succeeds or fails on their own), and {@code Subject} ({@link #subject}). Addresses travel as headers, verbatim,
 * never through an endpoint URI, where Camel would decode a {@code +} into a space or split at a {@code &}. Event text
 * never reaches a header raw: control characters (CR, LF, NUL...) become visible escapes, so a title cannot add a
 * header or a recipient.
 */
public final class EmailMessage {

    private final String appName;

    public EmailMessage(String appName) {
        this.appName = appName;
    }

    /** The subject: {@code [INTERNAL SECURITY ALERT] }(for internal alerts){@code Sqreen <type>: <title> (<app>, <env>)}. */
    public static String subject(@ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event) {
        if (event.digest() != null) {
            return NotificationText.digestHeadline(event, event.internal());
        }
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

    /** The plain-text body: the headline, every field of the view on its own line, and the event as Sqreen sent it. */
    public String body(@ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event) {
        StringBuilder body = new StringBuilder(1024);
        if (event.internal()) {
            body.append(INTERNAL_TAG).append(" This event concerns ").append(oneLine(appName))
                    .append(", the application that relays these alerts.\n\n");
        }
        if (event.digest() != null) {
            return digestBody(body, event);
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
        body.append("\nThe event as Sqreen sent it:\n").append(event.source()).append('\n');
        return body.toString();
    }

    /** A digest: the headline, the group's fields, the time span, up to 10 titles and how many more, the link. */
    private static String digestBody(StringBuilder body, AcceptedEvent digest) {
        body.append(NotificationText.digestHeadline(digest, false)).append("\n\n");
        line(body, "Events", Integer.toString(digest.digest().count()));
        line(body, "Type", digest.type());
        line(body, "Application", digest.applicationName());
        line(body, "Application id", digest.applicationId());
        line(body, "Environment", digest.environment());
        line(body, "First", NotificationText.time(digest.digest().firstAt()));
        line(body, "Last", NotificationText.time(digest.digest().lastAt()));
        line(body, "Link", digest.link());
        body.append("\nTitles:\n");
        NotificationText.digestTitles(digest.digest()).forEach(title -> body.append("- ").append(title).append('\n'));
        body.append("\nThe first event of this group was sent on its own; this digest covers the ones after it.\n");
        return body.toString();
    }

    private static void line(StringBuilder body, String name, String value) {
        if (value != null) {
            body.append(String.format("%-15s %s%n", name + ":", oneLine(value)));
        }
    }
}
