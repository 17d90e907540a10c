package io.sqreenrelay;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * The platform-http engine of the relay's routes, pinned to the webhook's port ({@code HTTP_PORT}).
 *
 * <p>Camel's own Vert.x engine finds its port by looking for the one HTTP server in the context; with health and
 * metrics on a management server of their own ({@code MANAGEMENT_PORT}) there are two, it finds none, and falls back
 * to port 8080, whose router does not exist: every {@code platform-http} route then fails to start ("No
 * PlatformHttpEngine created and setup in registry with name: platform-http-router-8080", camel-platform-http-vertx
 * 4.17 {@code VertxPlatformHttpEngine#getServerPort}). Bound as {@code platform-http-engine}, this one is used instead.
 */
final class WebhookHttpEngine extends VertxPlatformHttpEngine {

    private final int port;

    WebhookHttpEngine(int port) {
        this.port = port;
    }

    @Override
    public int getServerPort() {
        return port;
    }
}
