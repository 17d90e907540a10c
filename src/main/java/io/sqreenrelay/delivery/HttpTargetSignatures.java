package io.sqreenrelay.delivery;

import io.sqreenrelay.signing.HmacSha256;
import io.sqreenrelay.signing.StandardWebhooks;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Signs the HTTP target's request (routes/target-http.yaml) when {@code HTTP_TARGET_SECRET} is set, so that its
 * receiver can verify the relay (SPEC, "Targets" and "Shipped targets beyond the first five"):
 * <ul>
 *   <li>{@code X-Relay-Signature}: the hex HMAC-SHA256 of the exact bytes sent, keyed with the secret's UTF-8 bytes;</li>
 *   <li>Standard Webhooks' {@code webhook-id} (the event key), {@code webhook-timestamp} (Unix seconds) and
 *       {@code webhook-signature} ({@link StandardWebhooks}), for off-the-shelf verifiers.</li>
 * </ul>
 * The body (the event's source text) becomes its UTF-8 bytes, the bytes signed and sent. Without a secret, nothing is
 * signed and no signature header is set.
 */
public final class HttpTargetSignatures {

    public static final String RELAY_SIGNATURE = "X-Relay-Signature";
    public static final String WEBHOOK_ID = "webhook-id";
    public static final String WEBHOOK_TIMESTAMP = "webhook-timestamp";
    public static final String WEBHOOK_SIGNATURE = "webhook-signature";

    private final String secret;
    private final StandardWebhooks standard;

    /** @param secret {@code HTTP_TARGET_SECRET}, or null for no signatures */
    public HttpTargetSignatures(String secret) {
        this.secret = secret;
        this.standard = secret == null ? null : new StandardWebhooks(secret);
    }

    /** Sets the body to its UTF-8 bytes and, with a secret, the four signature headers. */
    public void sign(Exchange exchange) {
        Message request = exchange.getMessage();
        byte[] body = request.getBody(String.class).getBytes(StandardCharsets.UTF_8);
        request.setBody(body);
        if (secret == null) {
            return;
        }
        String id = exchange.getProperty(DeliveryProperties.EVENT, io.sqreenrelay.event.AcceptedEvent.class).key();
        long timestamp = System.currentTimeMillis() / 1000;
        request.setHeader(RELAY_SIGNATURE, HmacSha256.hex(secret, body));
        request.setHeader(WEBHOOK_ID, id);
        request.setHeader(WEBHOOK_TIMESTAMP, Long.toString(timestamp));
        request.setHeader(WEBHOOK_SIGNATURE, standard.signature(id, timestamp, body));
    }
}
