package io.sqreenrelay;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;

/**
 * The webhook port's HTTP server ({@code HTTP_PORT}, all interfaces), hardened before it listens.
 *
 * <p>Camel's own server ({@code camel.server.enabled}, camel-platform-http-main 4.17 {@code MainHttpServer}) listens
 * as soon as it starts, and no hook of Camel runs between the moment its router exists and the moment it listens: a
 * webhook that came in before the relay's first handler was installed met a router with no route and was answered
 * 404, which Sqreen may not retry (seen in CrashIT's restarts under load, about once in ten runs). This server
 * installs {@link HttpHardening} on its router as the router is made, so the first request on the port already meets
 * it: 503 with {@code Retry-After} until the relay is ready.
 */
final class WebhookHttpServer extends VertxPlatformHttpServer {

    private final int port;
    private final HttpHardening hardening;

    /**
     * @param port        the port to listen on; 0 takes any free port
     * @param maxBodySize the largest request body accepted, in bytes (Vert.x's body limit, a 413 beyond)
     * @param hardening   the relay's first handler, ahead of every route
     */
    WebhookHttpServer(int port, long maxBodySize, HttpHardening hardening) {
        super(configuration(port, maxBodySize));
        this.port = port;
        this.hardening = hardening;
    }

    private static VertxPlatformHttpServerConfiguration configuration(int port, long maxBodySize) {
        VertxPlatformHttpServerConfiguration configuration = new VertxPlatformHttpServerConfiguration();
        configuration.setBindHost(VertxPlatformHttpServerConfiguration.DEFAULT_BIND_HOST);
        configuration.setBindPort(port);
        configuration.setMaxBodySize(maxBodySize);
        return configuration;
    }

    /**
     * Listens, after checking the port again at this very moment: Camel's server logs a failed bind and goes on
     * (camel-platform-http-vertx 4.17 {@code startServer} throws inside Vert.x's callback, where nothing sees it), which
     * left a relay that never became ready and never said why when another process took the port in the seconds
     * between the start-up check ({@link StartupCheck#portsAreFree}) and this listen (seen once in the benchmark).
     * The check here leaves a window of about a millisecond.
     *
     * @throws StartupFailure naming HTTP_PORT when the port is in use
     */
    @Override
    protected void startServer() throws Exception {
        StartupCheck.canListen("HTTP_PORT", port);
        super.startServer();
    }

    @Override
    protected void initializeServer() {
        super.initializeServer();
        // the router the routes' platform-http endpoints use, bound by the line above; the server listens after this
        hardening.installOn(VertxPlatformHttpRouter.lookup(getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(port)));
    }
}
