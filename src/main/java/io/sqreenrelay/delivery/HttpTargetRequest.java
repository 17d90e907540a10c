package io.sqreenrelay.delivery;

import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.ingress.WebhookSignature;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The HTTP target's request for an event: a POST of the event object exactly as Sqreen sent it (for v2, the
 * whole envelope), with {@code X-Relay-Event-Key}, {@code X-Relay-Internal-Alert}, and, when a secret is set,
 * {@code X-Relay-Signature}: the hex HMAC-SHA256 of the exact bytes sent, so the receiver can verify the relay.
 */
public final class HttpTargetRequest implements Processor {

    public static final String EVENT_KEY = "X-Relay-Event-Key";
    public static final String INTERNAL_ALERT = "X-Relay-Internal-Alert";
    public static final String SIGNATURE = "X-Relay-Signature";

    private final TargetUrl url;
    private final String secret;

    public HttpTargetRequest(TargetUrl url, String secret) {
        this.url = url;
        this.secret = secret;
    }

    @Override
    public void process(Exchange exchange) {
        AcceptedEvent event = exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class);
        byte[] body = event.source().getBytes(StandardCharsets.UTF_8);
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        url.applyTo(exchange.getMessage());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setHeader(EVENT_KEY, NotificationText.headerSafe(event.key()));
        exchange.getMessage().setHeader(INTERNAL_ALERT, Boolean.toString(event.internal()));
        if (secret != null) {
            exchange.getMessage().setHeader(SIGNATURE, WebhookSignature.sign(secret, body));
        }
        exchange.getMessage().setBody(body);
    }
}
