package io.sqreenrelay.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each target has been doing: the delivery metrics (delivered, retried, dead-lettered, filtered; time from acceptance to
 * delivery) and, for the health details, how many deliveries failed in a row and the last error. The delivery
 * template reports each delivery, {@link DeliveryFailures} each failure.
 */
public final class TargetActivity {

    private static final Logger LOG = LoggerFactory.getLogger("relay.delivery");

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
        if (event.digest() != null) {
            t.digests.increment();
            t.eventsPerDigest.record(event.digest().count());
        }
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

    /**
     * A target's routing rule ({@code when}) could not be evaluated for an event (it names a field the event lacks,
     * an index past the end of a list): the event does not match and is counted as filtered by the template. Logged
     * once per target, with the error, so that a rule that never matches is seen without a line per event.
     */
    public void ruleFailed(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                           @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception error) {
        if (target(target).ruleFailureLogged.compareAndSet(false, true)) {
            Throwable cause = error;
            while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            // the cause's class and the start of its text on one line: it may quote the event, never a whole one
            String text = cause == null ? "unknown error"
                    : (cause.getClass().getSimpleName() + ": " + cause.getMessage()).replaceAll("\\p{Cntrl}", " ");
            String why = text.length() > 160 ? text.substring(0, 160) + "..." : text;
            LOG.warn("Target {}: its routing rule (when) cannot be evaluated for some events ({}); they are filtered "
                    + "(outcome=filtered), never sent nor dead-lettered. Logged once.", target, why);
        }
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
        final Counter digests;
        final DistributionSummary eventsPerDigest;
        int failuresInARow;
        String lastError;
        Instant lastFailureAt;
        Instant lastDeliveryAt;
        final AtomicBoolean ruleFailureLogged = new AtomicBoolean();

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
            digests = Counter.builder("sqreen.relay.digests")
                    .description("Digests delivered, by target (each covers the later events of one group)")
                    .tag("target", name)
                    .register(registry);
            eventsPerDigest = DistributionSummary.builder("sqreen.relay.digest.events")
                    .description("How many events each delivered digest covered, by target")
                    .tag("target", name)
                    .serviceLevelObjectives(1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10000)
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
