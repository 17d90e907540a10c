package io.sqreenrelay.ingress;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Reads the raw request body once, checks its {@code X-Sqreen-Integrity} signature, and puts the exact bytes back
 * as the body. Nothing is parsed before the signature holds.
 */
public final class SignatureCheck implements Processor {

    public static final String HEADER = "X-Sqreen-Integrity";

    private final WebhookSignature signature;

    public SignatureCheck(WebhookSignature signature) {
        this.signature = signature;
    }

    @Override
    public void process(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        String claimed = HttpRequestParts.header(exchange, HEADER);   // never a query parameter of that name
        if (claimed == null || claimed.isBlank()) {
            throw RequestRejected.unauthorized("missing " + HEADER + " signature header");
        }
        if (body == null || !signature.verify(body, claimed)) {
            throw RequestRejected.unauthorized("invalid " + HEADER + " signature");
        }
        exchange.getMessage().setBody(body);
    }
}
