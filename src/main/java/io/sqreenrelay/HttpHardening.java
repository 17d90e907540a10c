package io.sqreenrelay;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The relay's first HTTP handler, ahead of every Camel route. Every answer gets the security headers; the two
 * refusals that come before a route runs get the relay's short JSON body: a wrong method on the webhook (405),
 * and a body whose declared length is over the limit (413, answered before any of it is read). A chunked body
 * that overruns the limit is cut by Vert.x's own body limit, also with a 413.
 */
public final class HttpHardening {

    static final String WEBHOOK_PATH = "/v1/webhook";

    private final long maxBodySize;

    HttpHardening(long maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    void installOn(Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> ctx.response().headers()
                .set("X-Content-Type-Options", "nosniff")
                .set("X-Frame-Options", "DENY")
                .set("Cache-Control", "no-store"));
        if (WEBHOOK_PATH.equals(ctx.normalizedPath()) && ctx.request().method() != HttpMethod.POST) {
            ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
            jsonError(ctx, 405, "method not allowed, use POST");
            return;
        }
        if (declaredLength(ctx) > maxBodySize) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            jsonError(ctx, 413, "request body too large");
            return;
        }
        if (WEBHOOK_PATH.equals(ctx.normalizedPath()) && isForm(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
            // A form body is parsed into fields by the HTTP layer before any route sees it: its raw bytes, and so
            // its signature, are gone (and its field names would become headers). Refused here, as not JSON.
            jsonError(ctx, 415, "Content-Type must be JSON");
            return;
        }
        ctx.next();
    }

    private static boolean isForm(String contentType) {
        String type = contentType == null ? "" : contentType.trim().toLowerCase(java.util.Locale.ROOT);
        return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/");
    }

    private static long declaredLength(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1; // Vert.x itself refuses a malformed Content-Length
        }
    }

    private static void jsonError(RoutingContext ctx, int status, String error) {
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"error\": \"" + error + "\"}");
    }
}
