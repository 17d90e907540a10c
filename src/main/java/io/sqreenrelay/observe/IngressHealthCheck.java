package io.sqreenrelay.observe;

import io.sqreenrelay.ingress.IngressGate;
import java.util.Map;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: the relay takes webhooks. Down until the webhook route has started (it starts last, once every target's
 * queue is bound), and from the moment the relay starts shutting down.
 */
public final class IngressHealthCheck extends AbstractHealthCheck {

    private final IngressGate gate;
    private final String webhookRoute;

    public IngressHealthCheck(IngressGate gate, String webhookRoute) {
        super("sqreen-relay", "ingress");
        this.gate = gate;
        this.webhookRoute = webhookRoute;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        ServiceStatus route = getCamelContext().getRouteController().getRouteStatus(webhookRoute);
        if (gate.state() == IngressGate.State.SHUTTING_DOWN) {
            builder.message("shutting down: new webhooks are answered 503");
            builder.down();
        } else if (gate.state() == IngressGate.State.STARTING) {
            builder.message("starting: the routes are not all started yet");
            builder.down();
        } else if (route == null || !route.isStarted()) {
            builder.message("the webhook route " + webhookRoute + " is not started");
            builder.down();
        } else {
            builder.up();
        }
    }
}
