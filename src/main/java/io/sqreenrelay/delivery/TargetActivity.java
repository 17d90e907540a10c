package io.sqreenrelay.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sqreenrelay.event.AcceptedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.ExchangeProperty;

/**
 * What each target has been doing: the delivery metrics (delivered, retried, dead-lettered, filtered; time from acceptance to
 * delivery) and, for the health details, how many deliveries failed in a row and the last error. The delivery
 * template reports each delivery, {@link DeliveryFailures} each failure.
 */
public final class TargetActivity {

    /** One target's recent state, as the health details show it. */
    public record State(long delivered, long retried, long deadLettered, int failuresInARow, String lastError,
                        Instant lastFailureAt, Instant lastDeliveryAt) {
    }

    private final MeterRegistry registry;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();

    public TargetActivity(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Makes the target's meters exist (at zero) before its first delivery. */
    public void register(String target) {
        target(target);
    }

    public void delivered(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                          @ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event) {
        Target t = target(target);
        t.delivered.increment();
        long now = System.currentTimeMillis();
        if (event.receivedAt() > 0) {
            t.latency.record(Math.max(0, now - event.receivedAt()), TimeUnit.MILLISECONDS);
        }
        synchronized (t) {
            t.failuresInARow = 0;
            t.lastDeliveryAt = Instant.ofEpochMilli(now);
        }
    }

    /** An event the target's routing rule ({@code when}) did not want: acknowledged, not sent. */
    public void filtered(@ExchangeProperty(DeliveryProperties.TARGET) String target) {
        target(target).filtered.increment();
    }

    void retried(String target, String reason) {
        Target t = target(target);
        t.retried.increment();
        t.failed(reason);
    }

    void deadLettered(String target, String reason) {
        Target t = target(target);
        t.deadLettered.increment();
        t.failed(reason);
    }

    /** Every target seen so far, by name. */
    public SortedMap<String, State> states() {
        SortedMap<String, State> states = new TreeMap<>();
        targets.forEach((name, t) -> states.put(name, t.state()));
        return states;
    }

    private Target target(String name) {
        return targets.computeIfAbsent(name, Target::new);
    }

    private final class Target {
        final Counter delivered;
        final Counter retried;
        final Counter deadLettered;
        final Counter filtered;
        final Timer latency;
        int failuresInARow;
        String lastError;
        Instant lastFailureAt;
        Instant lastDeliveryAt;

        Target(String name) {
            delivered = outcome(name, "delivered");
            retried = outcome(name, "retried");
            deadLettered = outcome(name, "dead_lettered");
            filtered = outcome(name, "filtered");
            latency = Timer.builder("sqreen.relay.delivery.latency")
                    .description("Time from the acceptance of an event to its delivery, by target")
                    .tag("target", name)
                    .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
                            Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
                            Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(6), Duration.ofHours(24))
                    .register(registry);
        }

        private Counter outcome(String target, String outcome) {
            return Counter.builder("sqreen.relay.deliveries")
                    .description("Delivery attempts by target and outcome (delivered, retried later, dead-lettered, filtered out by the target's rule)")
                    .tag("target", target)
                    .tag("outcome", outcome)
                    .register(registry);
        }

        synchronized void failed(String reason) {
            failuresInARow++;
            lastError = reason;
            lastFailureAt = Instant.now();
        }

        synchronized State state() {
            return new State((long) delivered.count(), (long) retried.count(), (long) deadLettered.count(),
                    failuresInARow, lastError, lastFailureAt, lastDeliveryAt);
        }
    }
}
