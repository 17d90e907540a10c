package io.sqreenrelay.delivery;

import java.net.URI;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The last step before an HTTP target is called (routes/post-json.yaml and the other send routes): a request URL
 * ({@code CamelHttpUri}) with {@code user:password@} goes to the URL without them, with HTTP Basic authentication
 * instead ({@link TargetUrl}; SPEC, "Targets"). A URL without userinfo is left as it is; the credentials are never
 * logged.
 */
public final class UrlCredentials implements Processor {

    @Override
    public void process(Exchange exchange) {
        String url = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (url != null && url.contains("@")) {
            TargetUrl.of(URI.create(url)).applyTo(exchange.getMessage());
        }
    }
}
