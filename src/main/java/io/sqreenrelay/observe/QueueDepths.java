package io.sqreenrelay.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sqreenrelay.broker.DeadLetters;
import io.sqreenrelay.broker.DurableQueues;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The depth of each target's queue and dead-letter queue, as gauges. Read from the broker by {@link #refresh}, on
 * a timer, never while Prometheus scrapes: a scrape costs no broker round trip and does not hang when the broker
 * is away. While the broker cannot be asked, the gauges read NaN (unknown), not a stale number.
 */
public final class QueueDepths {

    private static final long UNKNOWN = Long.MIN_VALUE;

    private final MeterRegistry registry;
    private final DurableQueues queues;
    private final DeadLetters deadLetters;
    private final String targetQueuePrefix;
    private final Supplier<List<String>> targetsOn;
    private final Map<String, AtomicLong> ready = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> dead = new ConcurrentHashMap<>();

    public QueueDepths(MeterRegistry registry, DurableQueues queues, DeadLetters deadLetters, String targetQueuePrefix,
                       Supplier<List<String>> targetsOn) {
        this.registry = registry;
        this.queues = queues;
        this.deadLetters = deadLetters;
        this.targetQueuePrefix = targetQueuePrefix;
        this.targetsOn = targetsOn;
    }

    /** Asks the broker for every target's depths. */
    public void refresh() {
        for (String target : targetsOn.get()) {
            set(gauge(ready, "sqreen.relay.queue.messages", target,
                    "Events waiting in the target's queue (ready, not yet taken by its consumer)"),
                    () -> queues.readyMessages(targetQueuePrefix + target));
            set(gauge(dead, "sqreen.relay.dead.letters", target,
                    "Events in the target's dead-letter queue (list and replay them with the admin API)"),
                    () -> deadLetters.count(target));
        }
    }

    private static void set(AtomicLong value, Supplier<Long> read) {
        try {
            value.set(read.get());
        } catch (RuntimeException brokerAway) {
            value.set(UNKNOWN);
        }
    }

    private AtomicLong gauge(Map<String, AtomicLong> values, String name, String target, String description) {
        return values.computeIfAbsent(target, t -> {
            AtomicLong value = new AtomicLong(UNKNOWN);
            Gauge.builder(name, value, v -> v.get() == UNKNOWN ? Double.NaN : v.get())
                    .description(description)
                    .tag("target", t)
                    .register(registry);
            return value;
        });
    }
}
