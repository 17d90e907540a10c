package io.sqreenrelay.observe;

import io.sqreenrelay.delivery.TargetActivity;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Details only, never down: per target, its deliveries and, when its last attempts failed, how many in a row and
 * the last error. A failing target is the target's problem (its events wait in the broker), not a reason to take the
 * relay out of service.
 */
public final class TargetsHealthCheck extends AbstractHealthCheck {

    private final TargetActivity activity;
    private final Supplier<List<String>> targetsOn;

    public TargetsHealthCheck(TargetActivity activity, Supplier<List<String>> targetsOn) {
        super("sqreen-relay", "targets");
        this.activity = activity;
        this.targetsOn = targetsOn;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, TargetActivity.State> states = activity.states();
        StringBuilder failing = new StringBuilder();
        for (String target : targetsOn.get()) {
            TargetActivity.State state = states.get(target);
            if (state == null) {
                builder.detail(target + ".status", "no delivery yet");
                continue;
            }
            builder.detail(target + ".delivered", state.delivered());
            builder.detail(target + ".retried", state.retried());
            builder.detail(target + ".deadLettered", state.deadLettered());
            if (state.lastDeliveryAt() != null) {
                builder.detail(target + ".lastDeliveryAt", state.lastDeliveryAt().toString());
            }
            if (state.failuresInARow() > 0) {
                builder.detail(target + ".status", "failing");
                builder.detail(target + ".failuresInARow", state.failuresInARow());
                builder.detail(target + ".lastError", state.lastError());
                builder.detail(target + ".lastFailureAt", state.lastFailureAt().toString());
                failing.append(failing.isEmpty() ? "" : ", ").append(target);
            } else {
                builder.detail(target + ".status", "ok");
            }
        }
        if (!failing.isEmpty()) {
            builder.message("deliveries failing (retried, nothing lost): " + failing);
        }
        builder.up();
    }
}
