package io.sqreenrelay;

import io.sqreenrelay.ingress.WebhookSignature;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.spi.RouteController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The lines a person starting the relay reads: what it listens on, where events go, and how to try it. */
final class StartupReport {

    private static final Logger LOG = LoggerFactory.getLogger("sqreen-relay");
    static final String DELIVERY_ROUTE_PREFIX = "deliver-";

    private StartupReport() {
    }

    /** Logged once when no SIGNATURE_KEY is set: the generated key, and a signed request to paste. */
    static void generatedKey(String key, int port) {
        String body = sampleEvent();
        String signature = WebhookSignature.sign(key, body.getBytes(StandardCharsets.UTF_8));
        LOG.warn("No SIGNATURE_KEY set: generated a key for this run only: {}", key);
        LOG.warn("Set SIGNATURE_KEY to your Sqreen webhook secret. To try the relay now:\n"
                + "curl -sS -X POST http://localhost:{}/v1/webhook -H 'Content-Type: application/json' "
                + "-H 'X-Sqreen-Integrity: {}' --data-binary '{}'", port, signature, body);
    }

    /**
     * The targets that are on: those whose delivery route ({@code deliver-<target>}) runs, or is being started
     * again by the route controller (its broker is away). A target turned off never started.
     */
    static List<String> targets(CamelContext context) {
        RouteController controller = context.getRouteController();
        Set<String> retried = StartupCheck.restarting(controller);
        return context.getRoutes().stream()
                .map(Route::getRouteId)
                .filter(id -> id.startsWith(DELIVERY_ROUTE_PREFIX))
                .filter(id -> retried.contains(id) || controller.getRouteStatus(id).isStarted())
                .map(id -> id.substring(DELIVERY_ROUTE_PREFIX.length()))
                .sorted()
                .toList();
    }

    /** The one summary line that ends the startup log. */
    static void summary(CamelContext context, RelaySettings settings) {
        String targets = String.join(", ", targets(context));
        String internal = settings.applicationId() == null
                ? "off (SQREEN_APPLICATION_ID not set)"
                : "application " + settings.applicationId() + " (" + settings.appName() + ")";
        LOG.info("sqreen-relay ready: POST http://0.0.0.0:{}/v1/webhook | health: http://0.0.0.0:{}/observe/health, metrics: /observe/metrics"
                        + " | broker: {} | targets: {} | internal alerts: {} | signature keys: {}",
                settings.httpPort(), settings.managementPort(), settings.brokerDescription(), targets.isEmpty() ? "none" : targets, internal,
                settings.signatureKeys().isEmpty() ? "1 generated" : settings.signatureKeys().size() + " configured");
    }

    private static String sampleEvent() {
        return "[{\"message_id\": null, \"api_version\": \"2\", \"message_type\": \"test\", \"retry_count\": 0, "
                + "\"message\": {\"id\": \"" + UUID.randomUUID().toString().replace("-", "") + "\", "
                + "\"application_name\": \"sqreen-relay\", \"environment\": \"development\", "
                + "\"humanized_description\": \"Test notification from the sqreen-relay start-up log\", "
                + "\"url\": \"http://test\", \"ips\": [{\"address\": \"42.42.42.42\"}]}}]";
    }
}
