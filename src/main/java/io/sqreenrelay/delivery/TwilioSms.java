package io.sqreenrelay.delivery;

import static io.sqreenrelay.delivery.NotificationText.oneLine;

import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.SqreenEvent;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * SMS through Twilio's Messages API: the request that texts an event to one number, the one in the exchange property
 * {@value Recipients#RECIPIENT} (form {@code To}, {@code From}, {@code Body}, basic authentication with the account
 * SID and auth token; https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource). Which
 * numbers are texted is {@link Recipients}' business.
 */
public final class TwilioSms implements Processor {

    /** Twilio's limit for one message body. */
    public static final int MAX_BODY = 1600;
    private final URI messagesUrl;
    private final String authorization;
    private final String from;

    public TwilioSms(URI messagesUrl, String accountSid, String authToken, String from) {
        this.messagesUrl = messagesUrl;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8));
        this.from = from;
    }

    /** Makes the Twilio request that texts the event to the number in {@value Recipients#RECIPIENT}. */
    @Override
    public void process(Exchange exchange) {
        AcceptedEvent event = exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class);
        String to = exchange.getProperty(Recipients.RECIPIENT, String.class);
        String form = "To=" + encode(to) + "&From=" + encode(from) + "&Body=" + encode(text(event));
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().setHeader(Exchange.HTTP_URI, messagesUrl.toString());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded; charset=UTF-8");
        exchange.getMessage().setHeader("Authorization", authorization);
        exchange.getMessage().setBody(form.getBytes(StandardCharsets.UTF_8));
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
