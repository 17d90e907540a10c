package io.sqreenrelay.observe;

import io.sqreenrelay.broker.ListenerContainers;
import io.sqreenrelay.broker.WaitQueues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.camel.Route;
import org.apache.camel.component.springrabbit.SpringRabbitMQEndpoint;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.spi.RouteController;
import org.apache.camel.spi.SupervisingRouteController;

/**
 * Readiness: every consumer the relay needs is consuming. Down, naming them, while a route is being started again
 * by the route controller (its broker was away at start), or a started route's queue consumer or a retry wait-queue
 * consumer has stopped listening. A route stopped on purpose (a target that is off) is not a consumer that is down,
 * nor is the consumer of a suspended target (it answered 410 Gone: its events wait in its queue).
 */
public final class ConsumersHealthCheck extends AbstractHealthCheck {

    private final ListenerContainers containers;
    private final WaitQueues waitQueues;
    private final Predicate<String> stoppedOnPurpose;

    /** @param stoppedOnPurpose true for a queue whose consumer was stopped on purpose (its target is suspended) */
    public ConsumersHealthCheck(ListenerContainers containers, WaitQueues waitQueues,
                                Predicate<String> stoppedOnPurpose) {
        super("sqreen-relay", "consumers");
        this.containers = containers;
        this.waitQueues = waitQueues;
        this.stoppedOnPurpose = stoppedOnPurpose;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> down = new ArrayList<>();
        RouteController controller = getCamelContext().getRouteController();
        if (controller instanceof SupervisingRouteController supervisor) {
            supervisor.getRestartingRoutes().forEach(r -> down.add(r.getRouteId() + ": starting again, "
                    + cause(supervisor.getRestartException(r.getRouteId()))));
            supervisor.getExhaustedRoutes().forEach(r -> down.add(r.getRouteId() + ": could not be started"));
        }
        for (Route route : getCamelContext().getRoutes()) {
            if (route.getEndpoint() instanceof SpringRabbitMQEndpoint endpoint
                    && controller.getRouteStatus(route.getRouteId()).isStarted()) {
                var container = containers.of(endpoint.getQueues());
                if (container != null && !container.isRunning() && !stoppedOnPurpose.test(endpoint.getQueues())) {
                    down.add(route.getRouteId() + ": not consuming " + endpoint.getQueues());
                }
            }
        }
        waitQueues.notConsuming().forEach(queue -> down.add("retry wait queue " + queue + ": not consuming"));
        if (down.isEmpty()) {
            builder.up();
        } else {
            builder.message(String.join("; ", down));
            builder.detail("down", down);
            builder.down();
        }
    }

    private static String cause(Throwable failure) {
        return failure == null ? "not started yet" : failure.getClass().getSimpleName();
    }
}
