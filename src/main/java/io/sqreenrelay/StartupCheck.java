package io.sqreenrelay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.spi.RouteController;
import org.apache.camel.spi.SupervisingRouteController;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What must hold before the relay says it is ready, and what ends its start when it does not (SPEC, "Configuration":
 * any fatal start-up error ends the process with a non-zero exit and one line naming the cause; the ready line is
 * printed only once every route has started and the webhook is served).
 *
 * <ul>
 *   <li>Fatal, with one line: a port that cannot be listened on, named by its variable, {@code HTTP_PORT} or
 *       {@code MANAGEMENT_PORT} ({@link #portsAreFree}); no webhook route in {@code ROUTES_DIR}; a route that is to
 *       run and did not start, unless it consumes from the broker ({@link #verify}). Only the broker's consumers are
 *       supervised ({@code camel.routecontroller.include-routes}); any other route that cannot start fails the
 *       start of Camel itself, and {@code RelayMain} says so in one line.</li>
 *   <li>Waited for ({@link #readyWhenEveryRouteRuns}): the routes that consume from the broker while the broker is
 *       away; the route controller starts them again every few seconds, and the ready line comes once they all
 *       run.</li>
 * </ul>
 * A route of a target that is off never starts, and is neither waited for nor a failure.
 */
final class StartupCheck {

    private static final Logger LOG = LoggerFactory.getLogger("sqreen-relay");
    private static final String BROKER_CONSUMER = "spring-rabbitmq:";

    private final RelaySettings settings;
    private final Path routesDir;
    private final String webhookRoute;
    /** Why each route that failed to start failed, the last time it did. */
    private final Map<String, Throwable> failures = new ConcurrentHashMap<>();
    private final AtomicBoolean waiting = new AtomicBoolean();
    private final AtomicBoolean ready = new AtomicBoolean();
    private volatile CamelContext context;
    private volatile Runnable readyLine;

    StartupCheck(RelaySettings settings, Path routesDir, String webhookRoute) {
        this.settings = settings;
        this.routesDir = routesDir;
        this.webhookRoute = webhookRoute;
    }

    /** Remembers why a route failed to start, and gives the ready line once the last waited-for route runs. */
    EventNotifier routeEvents(Runnable readyLine) {
        this.readyLine = readyLine;
        return new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.RouteRestartingFailureEvent failed) {
                    failures.put(failed.getRoute().getRouteId(), failed.getCause());
                    if (failed.getAttempt() == 0) {
                        LOG.warn("Route {} could not start: {}; it is started again every few seconds",
                                failed.getRoute().getRouteId(), summary(failed.getCause()));
                    }
                } else if (event instanceof CamelEvent.RouteStartedEvent && waiting.get() && context != null
                        && pending(context).isEmpty()) {
                    announceReady();
                }
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event.getType() == CamelEvent.Type.RouteRestartingFailure
                        || event.getType() == CamelEvent.Type.RouteStarted;
            }
        };
    }

    /**
     * Before anything starts: each of the relay's ports can be listened on, or a {@link StartupFailure} names its
     * variable and why. Camel's Vert.x server, when its port is taken, only logs a warning and starts without
     * listening (camel-platform-http-vertx 4.17 {@code VertxPlatformHttpServer#startServer}); the port is tried here
     * the same way (all interfaces, address reuse on, as Vert.x binds) and let go at once.
     */
    void portsAreFree() {
        for (Map.Entry<String, Integer> port : Map.of("HTTP_PORT", settings.httpPort(),
                "MANAGEMENT_PORT", settings.managementPort()).entrySet()) {
            canListen(port.getKey(), port.getValue());
        }
    }

    /**
     * Tries {@code port} as Vert.x binds it (all interfaces, address reuse on) and lets it go at once; 0 (any free
     * port) is not tried.
     *
     * @param variable the setting that names the port, for the message ({@code HTTP_PORT})
     * @throws StartupFailure naming {@code variable} and why when another process holds the port
     */
    static void canListen(String variable, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new StartupFailure(variable + "=" + port + ": cannot listen on port " + port + " (" + summary(e)
                    + "): another process holds it?");
        }
    }

    /** Throws {@link InvalidSetting} or {@link StartupFailure} when the relay cannot run as configured. */
    void verify(CamelContext started) {
        this.context = started;
        if (started.getRoute(webhookRoute) == null) {
            // run from elsewhere than the project or image directory: without this, a relay with no routes
            throw new InvalidSetting("ROUTES_DIR: no webhook route found in " + routesDir.toAbsolutePath()
                    + " (run the relay from the directory that holds routes/, or set ROUTES_DIR)");
        }
        for (Route route : pending(started)) {
            if (!consumesFromTheBroker(route)) {
                Throwable cause = failures.get(route.getRouteId());
                throw new StartupFailure("route " + route.getRouteId() + " cannot start: "
                        + (cause == null ? "it did not start" : summary(cause)));
            }
        }
    }

    /** The ready line now if every route runs; else once the routes waiting for the broker run. */
    void readyWhenEveryRouteRuns(CamelContext started) {
        this.context = started;
        List<Route> pending = pending(started);
        if (pending.isEmpty()) {
            announceReady();
            return;
        }
        waiting.set(true);
        LOG.warn("sqreen-relay is not ready yet: the routes {} wait for the broker ({}); webhooks are answered 503 "
                + "meanwhile, and the ready line follows once they run",
                pending.stream().map(Route::getRouteId).toList(),
                summary(failures.get(pending.get(0).getRouteId())));
        if (pending(started).isEmpty()) {
            announceReady();   // they started in the meantime
        }
    }

    /**
     * The routes that are to run (not those of a target that is off) and do not: not started, or being started again
     * by the route controller (whose status can read started meanwhile).
     */
    static List<Route> pending(CamelContext context) {
        RouteController controller = context.getRouteController();
        Set<String> retried = restarting(controller);
        return context.getRoutes().stream()
                // the supervised routes' auto-startup is off: the route controller starts them itself
                .filter(route -> Boolean.TRUE.equals(route.getProperties().get(Route.SUPERVISED))
                        || !Boolean.FALSE.equals(route.isAutoStartup()))
                .filter(route -> retried.contains(route.getRouteId())
                        || !controller.getRouteStatus(route.getRouteId()).isStarted())
                .toList();
    }

    /** The ids of the routes the route controller is starting again (or gave up starting). */
    static Set<String> restarting(RouteController controller) {
        Set<String> retried = new HashSet<>();
        if (controller instanceof SupervisingRouteController supervisor) {
            supervisor.getRestartingRoutes().forEach(route -> retried.add(route.getRouteId()));
            supervisor.getExhaustedRoutes().forEach(route -> retried.add(route.getRouteId()));
        }
        return retried;
    }

    private void announceReady() {
        if (ready.compareAndSet(false, true)) {
            readyLine.run();
        }
    }

    private static boolean consumesFromTheBroker(Route route) {
        return route.getEndpoint() != null && route.getEndpoint().getEndpointUri().startsWith(BROKER_CONSUMER);
    }

    /** The innermost cause, as its type and the first line of its message (never a stack trace). */
    static String summary(Throwable failure) {
        if (failure == null) {
            return "no cause given";
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage().lines().findFirst().orElse("");
        String line = root.getClass().getSimpleName() + message;
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
