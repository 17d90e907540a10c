package io.sqreenrelay.delivery;

import static io.sqreenrelay.delivery.NotificationText.oneLine;

import io.sqreenrelay.event.AcceptedEvent;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.camel.ExchangeProperty;

/**
 * SMS through Twilio's Messages API: the form and authorization of the request (routes/target-sms.yaml) that texts an event to one number, the one in the exchange property
 * {@value Recipients#RECIPIENT} (form {@code To}, {@code From}, {@code Body}, basic authentication with the account
 * SID and auth token; https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource). Which
 * numbers are texted is {@link Recipients}' business.
 */
public final class TwilioSms {

    /** Twilio's limit for one message body. */
    public static final int MAX_BODY = 1600;
    private final URI messagesUrl;
    private final String authorization;
    private final String from;

    /** @param messagesUrl {@code {TWILIO_API_URL}/2010-04-01/Accounts/{sid}/Messages.json}, where a POST sends */
    public TwilioSms(URI messagesUrl, String accountSid, String authToken, String from) {
        this.messagesUrl = messagesUrl;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8));
        this.from = from;
    }

    /** The form that texts the event to {@code to}: {@code To}, {@code From} and {@code Body}, URL-encoded (UTF-8). */
    public String form(@ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event,
                       @ExchangeProperty(Recipients.RECIPIENT) String to) {
        return "To=" + encode(to) + "&From=" + encode(from) + "&Body=" + encode(text(event));
    }

    /** Where the request goes: the account's Messages resource. */
    public String messagesUrl() {
        return messagesUrl.toString();
    }

    /** The request's {@code Authorization}: Basic, with the account SID and auth token (a secret: never logged). */
    public String authorization() {
        return authorization;
    }

    /** The message: tag, type, title, application and environment, link; never over {@value #MAX_BODY} characters. */
    public static String text(AcceptedEvent event) {
        if (event.digest() != null) {
            // short: headline (count in digits, type, application), time span, the first title, link
            StringBuilder text = new StringBuilder(NotificationText.digestHeadline(event, event.internal()));
            text.append(" | ").append(NotificationText.digestSpan(event.digest()));
            if (!event.digest().titles().isEmpty()) {
                text.append(" | e.g. ").append(oneLine(event.digest().titles().get(0)));
            }
            if (event.link() != null) {
                text.append(" | ").append(oneLine(event.link()));
            }
            return cut(text.toString(), MAX_BODY);
        }
        StringBuilder text = new StringBuilder(NotificationText.headline(event, event.internal()));
        if (event.applicationName() != null) {
            text.append(" | ").append(oneLine(event.applicationName()));
            if (event.environment() != null) {
                text.append(" (").append(oneLine(event.environment())).append(')');
            }
        }
        if (event.link() != null) {
            text.append(" | ").append(oneLine(event.link()));
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
