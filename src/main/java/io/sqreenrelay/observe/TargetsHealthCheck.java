package io.sqreenrelay.observe;

import io.sqreenrelay.delivery.TargetActivity;
import io.sqreenrelay.delivery.TargetSuspensions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Details only, never down: per target, its deliveries and, when its last attempts failed, how many in a row and
 * the last error; a suspended target (it answered 410 Gone) as {@code suspended}, with the reason and since when. A
 * failing or suspended target is the target's problem (its events wait in the broker), not a reason to take the
 * relay out of service.
 */
public final class TargetsHealthCheck extends AbstractHealthCheck {

    private final TargetActivity activity;
    private final Function<String, TargetSuspensions.Suspension> suspensions;
    private final Supplier<List<String>> targetsOn;

    /** @param suspensions a target's suspension, or null when it is not suspended */
    public TargetsHealthCheck(TargetActivity activity, Function<String, TargetSuspensions.Suspension> suspensions,
                              Supplier<List<String>> targetsOn) {
        super("sqreen-relay", "targets");
        this.activity = activity;
        this.suspensions = suspensions;
        this.targetsOn = targetsOn;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, TargetActivity.State> states = activity.states();
        StringBuilder failing = new StringBuilder();
        StringBuilder suspended = new StringBuilder();
        for (String target : targetsOn.get()) {
            TargetActivity.State state = states.get(target);
            TargetSuspensions.Suspension suspension = suspensions.apply(target);
            if (suspension != null) {
                builder.detail(target + ".status", "suspended");
                builder.detail(target + ".suspendedReason", suspension.reason());
                builder.detail(target + ".suspendedSince", suspension.since().toString());
                suspended.append(suspended.isEmpty() ? "" : ", ").append(target);
                continue;
            }
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
        StringBuilder message = new StringBuilder();
        if (!failing.isEmpty()) {
            message.append("deliveries failing (retried, nothing lost): ").append(failing);
        }
        if (!suspended.isEmpty()) {
            message.append(message.isEmpty() ? "" : "; ").append("suspended (they answered 410 Gone, their events wait;"
                    + " POST /admin/targets/{target}/resume): ").append(suspended);
        }
        if (!message.isEmpty()) {
            builder.message(message.toString());
        }
        builder.up();
    }
}
