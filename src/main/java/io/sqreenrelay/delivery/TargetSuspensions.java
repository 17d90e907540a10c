package io.sqreenrelay.delivery;

import static io.sqreenrelay.broker.DeliveryHeaders.DUE_AT;
import static io.sqreenrelay.broker.DeliveryHeaders.TARGET;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sqreenrelay.broker.ListenerContainers;
import io.sqreenrelay.broker.WaitQueues;
import io.sqreenrelay.dedup.RedisKeyStore;
import io.sqreenrelay.event.AcceptedEvent;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;

/**
 * Targets that are gone: a target that answered {@code 410 Gone} (Slack's {@code channel_is_archived}, a revoked
 * webhook; RFC 9110 section 15.5.11: "no longer available at the origin server and this condition is likely to be
 * permanent") is suspended, a hold without end, until an admin resumes it ({@code POST /admin/targets/{target}/resume}).
 *
 * <p>While suspended: nothing is sent to it ({@link TargetHolds#check} throws {@link TargetSuspended}); its queue's
 * consumer is stopped, so its events stay in its queue (the event that met the 410, and the few a consumer had taken,
 * are put back there, neither acknowledged as delivered nor dead-lettered); readiness stays up. The admins are told
 * once, by an internal alert put in the queues of their other channels (admin email, admin SMS, Teams; never the
 * suspended one), durable and retried like any event. On resume the consumer starts again and what waited is sent.
 *
 * <p>Where a suspension lives: with a shared store (Redis, {@code REDIS_URI}) in one hash seen by every relay (each
 * relay reads it every {@value #SYNC_SECONDS} s, stopping or starting its own consumer), which survives restarts;
 * {@code HSETNX} makes one relay the one that tells the admins. Without it, in {@code DATA_DIR/state/suspended-targets.properties},
 * so a restart of the relay keeps it too.
 *
 * <p>Metric: {@code sqreen_relay_target_suspended{target}}, 1 while suspended, else 0.
 */
public final class TargetSuspensions extends ServiceSupport {

    /** How often the relay reads the shared suspensions and brings its consumers in line, in seconds. */
    static final int SYNC_SECONDS = 2;
    /** Where admins are told, in this order; a target among them that is suspended is skipped. */
    static final List<String> ADMIN_CHANNELS = List.of("admin-email", "admin-sms", "teams");
    private static final Logger LOG = LoggerFactory.getLogger("relay.delivery");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Why and since when a target is suspended.
     *
     * @param reason what the target answered (e.g. {@code HTTP 410 channel_is_archived}), never a URL
     * @param since  when it was suspended
     */
    public record Suspension(String reason, Instant since) {

        String stored() {
            return since.toEpochMilli() + " " + reason;
        }

        static Suspension read(String stored) {
            String[] parts = stored.split(" ", 2);
            return new Suspension(parts.length > 1 ? parts[1] : "", Instant.ofEpochMilli(Long.parseLong(parts[0])));
        }
    }

    private final Map<String, Suspension> suspended = new ConcurrentHashMap<>();
    private final Set<String> stoppedHere = ConcurrentHashMap.newKeySet();
    private final RedisKeyStore shared;
    private final Path file;
    private final ListenerContainers containers;
    private final String queuePrefix;
    private final WaitQueues waitQueues;
    private final Supplier<List<String>> targetsOn;
    private final MeterRegistry meters;
    private final Set<String> gauges = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService timer;

    /**
     * @param shared      the Redis key store of a cluster, or null (then the suspensions are kept in {@code stateDir})
     * @param stateDir    the relay's state directory
     * @param containers  the targets' queue consumers, by queue
     * @param queuePrefix a target's queue is this prefix and its name
     * @param waitQueues  where the admins' notices are put, due at once, on their way to the admin targets' queues
     * @param targetsOn   the targets that run
     */
    public TargetSuspensions(RedisKeyStore shared, Path stateDir, ListenerContainers containers, String queuePrefix,
                             WaitQueues waitQueues, Supplier<List<String>> targetsOn, MeterRegistry meters) {
        this.shared = shared;
        this.file = stateDir.resolve("suspended-targets.properties");
        this.containers = containers;
        this.queuePrefix = queuePrefix;
        this.waitQueues = waitQueues;
        this.targetsOn = targetsOn;
        this.meters = meters;
        if (shared == null) {
            load();
        } else {
            refresh();
        }
    }

    /** The target's suspension, or null when it is not suspended. */
    public Suspension suspension(String target) {
        return suspended.get(target);
    }

    /** Every suspended target, by name. */
    public Map<String, Suspension> all() {
        return new LinkedHashMap<>(suspended);
    }

    /** True while the queue's consumer is stopped because its target is suspended (not a consumer that is down). */
    public boolean stoppedOnPurpose(String queue) {
        return queue.startsWith(queuePrefix) && stoppedHere.contains(queue.substring(queuePrefix.length()));
    }

    /**
     * Suspends the target (it answered 410): its consumer stops, and, when it was not suspended yet (by any relay of
     * the cluster), the admins are told. Does nothing more when it is suspended already.
     */
    public void suspend(String target, String reason) {
        Suspension suspension = new Suspension(reason, Instant.now());
        if (suspended.putIfAbsent(target, suspension) != null) {
            return;
        }
        boolean first = shared == null || shared.suspend(target, suspension.stored());
        save();
        LOG.error("Target {} is gone ({}): suspended, nothing is sent to it and its events wait in its queue; resume it"
                + " with POST /admin/targets/{}/resume", target, reason, target);
        stopConsumer(target);
        if (first) {
            tellAdmins(target, suspension);
        }
    }

    /** Resumes the target: its consumer starts again and what waited is sent. False when it was not suspended. */
    public boolean resume(String target) {
        boolean was = suspended.remove(target) != null;
        if (shared != null) {
            shared.resume(target);
        }
        save();
        if (was) {
            LOG.warn("Target {} resumed: its waiting events are sent", target);
        }
        startConsumer(target);
        return was;
    }

    /** Brings this relay in line: the shared suspensions read again, the consumers stopped or started, the gauges. */
    void sync() {
        if (shared != null) {
            refresh();
        }
        for (String target : targetsOn.get()) {
            if (gauges.add(target)) {
                Gauge.builder("sqreen.relay.target.suspended", this, s -> s.suspended.containsKey(target) ? 1 : 0)
                        .description("1 while the target is suspended (it answered 410 Gone), else 0")
                        .tag("target", target)
                        .register(meters);
            }
            AbstractMessageListenerContainer container = containers.of(queuePrefix + target);
            if (container == null) {
                continue;
            }
            if (suspended.containsKey(target) && container.isRunning()) {
                stopConsumer(target);
            } else if (!suspended.containsKey(target) && stoppedHere.contains(target)) {
                startConsumer(target);
            }
        }
    }

    private void refresh() {
        Map<String, String> now = shared.suspended();
        if (now == null) {
            return;                  // Redis does not answer: keep what is known
        }
        suspended.keySet().retainAll(now.keySet());
        now.forEach((target, state) -> suspended.computeIfAbsent(target, t -> Suspension.read(state)));
    }

    private void stopConsumer(String target) {
        AbstractMessageListenerContainer container = containers.of(queuePrefix + target);
        if (container == null) {
            return;
        }
        stoppedHere.add(target);
        // not on the consumer's own thread: stopping waits for the event in hand, which is this one
        later(container::stop);
    }

    private void startConsumer(String target) {
        AbstractMessageListenerContainer container = containers.of(queuePrefix + target);
        if (container != null && stoppedHere.contains(target)) {
            // counted as stopped on purpose until it runs again, so that readiness does not flicker meanwhile
            later(() -> {
                container.start();
                stoppedHere.remove(target);
            });
        }
    }

    private void later(Runnable action) {
        ScheduledExecutorService executor = timer;
        if (executor != null && !executor.isShutdown()) {
            executor.execute(action);
        } else {
            action.run();
        }
    }

    /** An internal alert, in the queue of each admin channel that runs (never the suspended target's). */
    private void tellAdmins(String target, Suspension suspension) {
        AcceptedEvent notice = notice(target, suspension);
        List<String> on = targetsOn.get();
        for (String channel : ADMIN_CHANNELS) {
            if (channel.equals(target) || !on.contains(channel) || suspended.containsKey(channel)) {
                continue;
            }
            try {
                waitQueues.park(JSON.writeValueAsBytes(List.of(notice)),
                        Map.of(TARGET, channel, DUE_AT, System.currentTimeMillis()));
            } catch (JsonProcessingException | RuntimeException e) {
                LOG.error("Target {} suspended: the admins could not be told on {} ({})", target, channel,
                        e.getClass().getSimpleName());
            }
        }
    }

    static AcceptedEvent notice(String target, Suspension suspension) {
        String title = "Target " + target + " suspended: it answered " + suspension.reason()
                + ". Its events wait in its queue; resume it with POST /admin/targets/" + target + "/resume";
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("type", "relay_target_suspended");
        source.put("target", target);
        source.put("reason", suspension.reason());
        source.put("since", suspension.since().toString());
        String text;
        try {
            text = JSON.writeValueAsString(source);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return new AcceptedEvent("relay-suspended-" + target + "-" + UUID.randomUUID(), true,
                System.currentTimeMillis(), text, "relay_target_suspended", title, null, "sqreen-relay", null,
                suspension.since().toString(), null, List.of(), null, null);
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        Properties stored = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            stored.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        stored.stringPropertyNames().forEach(t -> suspended.put(t, Suspension.read(stored.getProperty(t))));
    }

    private synchronized void save() {
        if (shared != null) {
            return;
        }
        Properties stored = new Properties();
        suspended.forEach((t, s) -> stored.setProperty(t, s.stored()));
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            try (Writer out = Files.newBufferedWriter(temp)) {
                stored.store(out, "targets suspended after a 410 Gone (POST /admin/targets/{target}/resume)");
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.error("Suspended targets could not be written to {} ({}): a restart will forget them", file,
                    e.getClass().getSimpleName());
        }
    }

    @Override
    protected void doStart() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "relay-target-suspensions");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                sync();
            } catch (RuntimeException e) {
                LOG.warn("Target suspensions could not be brought in line: {}", e.getClass().getSimpleName());
            }
        }, 0, SYNC_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** The event was not sent: its target is suspended (it answered 410 Gone). */
    public static final class TargetSuspended extends TargetHolds.TargetOnHold {

        TargetSuspended() {
            super(Long.MAX_VALUE);
        }
    }
}
