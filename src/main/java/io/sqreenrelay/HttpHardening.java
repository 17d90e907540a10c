package io.sqreenrelay;

import io.sqreenrelay.ingress.IngressGate;
import io.sqreenrelay.observe.WebhookRequests;
import io.sqreenrelay.observe.WebhookRequests.Outcome;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The relay's first HTTP handler, ahead of every Camel route. Every answer gets the security headers; the
 * refusals that come before a route runs get the relay's short JSON body: a wrong method on the webhook (405), a
 * body whose declared length is over the limit (413, answered before any of it is read), a form body (415), and,
 * while the relay starts and once it is shutting down, every new webhook (503 with {@code Retry-After}). A chunked
 * body that overruns the limit is cut by Vert.x's own body limit, also a 413. Each of these webhook answers is
 * logged and counted like those of the route ({@link WebhookRequests}).
 *
 * <p>A body must arrive within {@code bodyTimeoutMillis} of the request line: a client that trickles it (a byte now
 * and then, to hold a connection and its buffer) is answered 408 and disconnected. Reading is never blocking, so slow
 * clients cost a connection and their bytes so far, never an event-loop thread.
 */
public final class HttpHardening {

    static final String WEBHOOK_PATH = "/v1/webhook";
    private static final String STARTED = "relay.started";
    /** Query parameters of Camel's health endpoints that would let a caller choose how much is shown. */
    private static final List<String> CALLER_CHOSEN_DETAIL = List.of("exposureLevel", "stackTrace");

    private final long maxBodySize;
    private final int retryAfterSeconds;
    private final IngressGate gate;
    private final WebhookRequests requests;
    private final long bodyTimeoutMillis;

    HttpHardening(long maxBodySize, int retryAfterSeconds, IngressGate gate, WebhookRequests requests,
                  long bodyTimeoutMillis) {
        this.maxBodySize = maxBodySize;
        this.bodyTimeoutMillis = bodyTimeoutMillis;
        this.retryAfterSeconds = retryAfterSeconds;
        this.gate = gate;
        this.requests = requests;
    }

    /**
     * The management port (health and metrics): the security headers, and the health endpoints' answer as
     * configured ({@code camel.health.exposure-level}). Camel's health handler would take the exposure level and
     * stack traces from the query string ({@code ?exposureLevel=full&stackTrace=true}, camel-platform-http-main 4.17
     * {@code ManagementHttpServer}); those parameters are dropped before it runs.
     */
    static void installOnManagement(Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            securityHeaders(ctx);
            MultiMap params = ctx.request().params();
            CALLER_CHOSEN_DETAIL.forEach(params::remove);
            ctx.next();
        });
    }

    void installOn(Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::handle);
        // Vert.x's body limit (a chunked body longer than allowed) fails the request with 413. A failure handler of
        // this router answers it: an error handler (Router#errorHandler) of a router mounted under another, as the
        // platform-http router is, is never called, and Vert.x answered its own plain-text 413.
        router.route().order(Integer.MIN_VALUE).failureHandler(ctx -> {
            if (ctx.statusCode() == 413 && !ctx.response().ended()) {
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                refuse(ctx, Outcome.TOO_LARGE, 413, "request body too large");
            } else {
                ctx.next();
            }
        });
    }

    private void handle(RoutingContext ctx) {
        ctx.put(STARTED, System.nanoTime());
        securityHeaders(ctx);
        boolean webhook = WEBHOOK_PATH.equals(ctx.normalizedPath());
        if (webhook && ctx.request().method() != HttpMethod.POST) {
            ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
            refuse(ctx, Outcome.METHOD_NOT_ALLOWED, 405, "method not allowed, use POST");
            return;
        }
        if (webhook && !gate.isOpen()) {
            ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            boolean starting = gate.state() == IngressGate.State.STARTING;
            refuse(ctx, starting ? Outcome.STARTING : Outcome.SHUTTING_DOWN, 503,
                    starting ? "the relay is starting, retry later" : "the relay is shutting down, retry later");
            return;
        }
        if (declaredLength(ctx) > maxBodySize) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            refuse(ctx, Outcome.TOO_LARGE, 413, "request body too large");
            return;
        }
        if (webhook && isForm(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
            // A form body is parsed into fields by the HTTP layer before any route sees it: its raw bytes, and so
            // its signature, are gone (and its field names would become headers). Refused here, as not JSON.
            refuse(ctx, Outcome.UNSUPPORTED_TYPE, 415, "Content-Type must be JSON");
            return;
        }
        if (!ctx.request().isEnded()) {
            long timer = ctx.vertx().setTimer(bodyTimeoutMillis, id -> tooSlow(ctx));
            ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
        }
        ctx.next();
    }

    private static void securityHeaders(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> ctx.response().headers()
                .set("X-Content-Type-Options", "nosniff")
                .set("X-Frame-Options", "DENY")
                .set("Cache-Control", "no-store"));
    }

    private void tooSlow(RoutingContext ctx) {
        if (ctx.request().isEnded() || ctx.response().ended()) {
            return;   // the body came; the answer is on its way (waiting for the broker, say)
        }
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        refuse(ctx, Outcome.TOO_SLOW, 408, "request body not received in time")
                .onComplete(sent -> ctx.request().connection().close());
    }

    private Future<Void> refuse(RoutingContext ctx, Outcome outcome, int status, String error) {
        Future<Void> sent = jsonError(ctx, status, error);
        if (WEBHOOK_PATH.equals(ctx.normalizedPath())) {
            long nanos = System.nanoTime() - ctx.get(STARTED, System.nanoTime());
            requests.answered(outcome, status, 0, 0, nanos, String.valueOf(ctx.request().remoteAddress()));
        }
        return sent;
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

    private static Future<Void> jsonError(RoutingContext ctx, int status, String error) {
        return ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"error\": \"" + error + "\"}");
    }
}
