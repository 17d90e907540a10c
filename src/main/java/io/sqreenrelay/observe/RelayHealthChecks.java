package io.sqreenrelay.observe;

import io.sqreenrelay.broker.BrokerBeans;
import io.sqreenrelay.dedup.RedisKeyStore;
import io.sqreenrelay.delivery.TargetActivity;
import io.sqreenrelay.delivery.TargetSuspensions;
import io.sqreenrelay.ingress.IngressGate;
import java.util.List;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

/**
 * Registers the relay's readiness and liveness checks (served on the management port, {@code /observe/health}):
 * ingress, broker, consumers, targets and shared de-duplication. Nothing is registered when camel-health is off.
 */
public final class RelayHealthChecks {

    private RelayHealthChecks() {
    }

    /**
     * @param webhookRoute     the id of the route that takes webhooks (its state is the ingress check's)
     * @param suspensions      the targets suspended after a 410 (shown by the targets check; their stopped consumers
     *                         are no consumers down)
     * @param targets          the targets whose routes run
     * @param shared           the Redis key store, or null when de-duplication is kept by this relay alone
     * @param dedupDescription where the de-duplication keys live, for the check's details (no secret)
     */
    public static void register(CamelContext context, IngressGate gate, String webhookRoute, BrokerBeans broker,
                                String brokerDescription, TargetActivity activity, TargetSuspensions suspensions,
                                Supplier<List<String>> targets,
                                RedisKeyStore shared, String dedupDescription) {
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health == null) {
            return;
        }
        health.register(new IngressHealthCheck(gate, webhookRoute));
        health.register(new BrokerHealthCheck(broker.connections(), brokerDescription, broker.started()));
        health.register(new ConsumersHealthCheck(broker.containers(), broker.waitQueues(),
                suspensions::stoppedOnPurpose));
        health.register(new TargetsHealthCheck(activity, suspensions::suspension, targets));
        health.register(new DedupHealthCheck(shared, dedupDescription));
    }
}
