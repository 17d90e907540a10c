package io.sqreenrelay.ingress;

import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/** Refuses (415) a request whose {@code Content-Type} is present and not JSON. No Content-Type is accepted. */
public final class ContentTypeCheck implements Processor {

    /** {@code application/json} or any {@code type/subtype+json}, with any parameters. */
    private static final Pattern JSON = Pattern.compile(
            "(application/json|[a-z0-9!#$&^_.-]+/[a-z0-9!#$&^_.+-]*\\+json)\\s*(;.*)?", Pattern.DOTALL);

    @Override
    public void process(Exchange exchange) {
        String contentType = HttpRequestParts.header(exchange, Exchange.CONTENT_TYPE);   // never a query parameter
        if (contentType != null && !isJson(contentType)) {
            throw RequestRejected.unsupportedMediaType("Content-Type must be application/json");
        }
    }

    static boolean isJson(String contentType) {
        return JSON.matcher(contentType.strip().toLowerCase(Locale.ROOT)).matches();
    }
}
