package io.sqreenrelay.delivery;

import static io.sqreenrelay.delivery.NotificationText.oneLine;

import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.SqreenEvent;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Processor;

/**
 * SMS through Twilio's Messages API: one message per event to each of a list of numbers. {@link #pending} gives
 * the numbers the event has not reached yet (a retry after a failure half-way does not text the others again),
 * {@link #process} makes the request for one number (form {@code To}, {@code From}, {@code Body}, basic
 * authentication), and {@link #sent} records that the number got it.
 */
public final class TwilioSms implements Processor {

    /** Twilio's limit for one message body. */
    public static final int MAX_BODY = 1600;
    /** The exchange property holding the number being texted. */
    public static final String RECIPIENT = "relaySmsTo";

    private final URI messagesUrl;
    private final String authorization;
    private final String from;
    private final List<String> recipients;
    private final DeliveredKeys delivered;

    public TwilioSms(URI messagesUrl, String accountSid, String authToken, String from, List<String> recipients,
                     DeliveredKeys delivered) {
        this.messagesUrl = messagesUrl;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8));
        this.from = from;
        this.recipients = List.copyOf(recipients);
        this.delivered = delivered;
    }

    /** The numbers that have not received this event yet. */
    public List<String> pending(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                                @ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event) {
        return recipients.stream().filter(number -> delivered.isNew(target, event.key(), number)).toList();
    }

    /** Body: the number to text. Makes the Twilio request for it. */
    @Override
    public void process(Exchange exchange) {
        AcceptedEvent event = exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class);
        String to = exchange.getMessage().getBody(String.class);
        exchange.setProperty(RECIPIENT, to);
        String form = "To=" + encode(to) + "&From=" + encode(from) + "&Body=" + encode(text(event));
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().setHeader(Exchange.HTTP_URI, messagesUrl.toString());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded; charset=UTF-8");
        exchange.getMessage().setHeader("Authorization", authorization);
        exchange.getMessage().setBody(form.getBytes(StandardCharsets.UTF_8));
    }

    /** Records that the number in {@value #RECIPIENT} got the event. */
    public void sent(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                     @ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event,
                     @ExchangeProperty(RECIPIENT) String to) {
        delivered.delivered(target, event.key(), to);
    }

    /** The message: tag, type, title, application and environment, link; never over {@value #MAX_BODY} characters. */
    public static String text(AcceptedEvent event) {
        SqreenEvent view = NotificationText.view(event);
        StringBuilder text = new StringBuilder(NotificationText.headline(view, event.internal()));
        if (view.applicationName() != null) {
            text.append(" | ").append(oneLine(view.applicationName()));
            if (view.environment() != null) {
                text.append(" (").append(oneLine(view.environment())).append(')');
            }
        }
        if (view.link() != null) {
            text.append(" | ").append(oneLine(view.link()));
        }
        return cut(text.toString(), MAX_BODY);
    }

    /** At most {@code max} characters, never splitting a surrogate pair. */
    static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 3;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "...";
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
