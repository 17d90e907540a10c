package io.sqreenrelay.ingress;

import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * Reads a part of the HTTP request a platform-http route is serving from the request itself, each part from its
 * own place: a header from the headers, a query parameter from the query string, a path segment from the path.
 *
 * <p>The exchange's message headers mix them: camel-platform-http-vertx 4.17 copies every query parameter, and every
 * path parameter, into a message header of the same name ({@code VertxPlatformHttpSupport#populateCamelHeaders}), so
 * {@code ?Authorization=...} or {@code ?X-Sqreen-Integrity=...} would look like headers, and a {@code key} header
 * like the replay's {@code ?key=}. Security decisions read from here (SPEC, "Headers are headers").
 */
public final class HttpRequestParts {

    private HttpRequestParts() {
    }

    /** The value of the request header {@code name} (case-insensitive), or null when the request has none. */
    public static String header(Exchange exchange, String name) {
        return request(exchange).getHeader(name);
    }

    /** The value of the query parameter {@code name}, or null when the query string has none. */
    public static String queryParameter(Exchange exchange, String name) {
        return request(exchange).getParam(name);
    }

    /**
     * The path segment right after {@code prefix} ({@code /admin/dead-letters/} in
     * {@code /admin/dead-letters/http/replay} gives {@code http}), or null when the path does not start with it.
     */
    public static String segmentAfter(Exchange exchange, String prefix) {
        String path = request(exchange).path();
        if (path == null || !path.startsWith(prefix)) {
            return null;
        }
        String rest = path.substring(prefix.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    private static HttpServerRequest request(Exchange exchange) {
        Message in = exchange.getIn();
        if (in instanceof HttpMessage http && http.getRequest() != null) {
            return http.getRequest();
        }
        throw new IllegalStateException("not an exchange of an HTTP request (platform-http)");
    }
}
