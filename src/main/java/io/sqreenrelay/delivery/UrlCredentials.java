package io.sqreenrelay.delivery;

import java.net.URI;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The last step before an HTTP target is called (routes/post-json.yaml and the other send routes): the request URL
 * ({@code CamelHttpUri}, a setting as written) gets the characters no URI may hold percent-encoded
 * ({@link TargetUrl#escapeForbidden}: a space is sent as {@code %20}), and a URL with {@code user:password@} goes to
 * the URL without them, with HTTP Basic authentication instead ({@link TargetUrl}; SPEC, "Targets"). The credentials
 * are never logged.
 */
public final class UrlCredentials implements Processor {

    @Override
    public void process(Exchange exchange) {
        String url = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (url != null) {
            TargetUrl.of(URI.create(TargetUrl.escapeForbidden(url))).applyTo(exchange.getMessage());
        }
    }
}
