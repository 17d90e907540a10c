package io.sqreenrelay.observe;

import io.sqreenrelay.ingress.IngressGate;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness: the relay takes webhooks (down from the moment it starts shutting down). */
public final class IngressHealthCheck extends AbstractHealthCheck {

    private final IngressGate gate;

    public IngressHealthCheck(IngressGate gate) {
        super("sqreen-relay", "ingress");
        this.gate = gate;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (gate.isOpen()) {
            builder.up();
        } else {
            builder.message("shutting down: new webhooks are answered 503");
            builder.down();
        }
    }
}
