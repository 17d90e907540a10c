package io.sqreenrelay;

import io.sqreenrelay.delivery.TargetActivity;
import io.sqreenrelay.ingress.IngressGate;
import io.sqreenrelay.observe.NativeHeapTrim;
import io.sqreenrelay.observe.QueueDepths;
import io.sqreenrelay.observe.WebhookRequests;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * The relay's start and stop around Camel's: once the management server exists, its hardening (HttpHardening); once every
 * route has started, the start-up verdict (StartupCheck), then the ingress gate opens and the queue-depth gauges
 * and the native heap's trimming (NativeHeapTrim) start; when the context begins to stop (SIGTERM or any stop), the
 * gate closes first, so that new webhooks get 503 while the rest drains. Register it both as a start-up listener and
 * as an event notifier ({@link #on}).
 */
final class RelayLifecycle extends EventNotifierSupport implements StartupListener {

    /** How often the queue-depth gauges are read from the broker. */
    private static final int QUEUE_DEPTHS_EVERY_SECONDS = 5;
    /** How often freed native memory is given back to the operating system (NativeHeapTrim). */
    private static final int TRIM_EVERY_SECONDS = 5;

    private final RelaySettings settings;
    private final StartupCheck startup;
    private final IngressGate gate;
    private final TargetActivity activity;
    private final QueueDepths depths;
    private final String generatedKey;
    private final AtomicBoolean managementHardened = new AtomicBoolean();
    private final AtomicBoolean fullyStarted = new AtomicBoolean();

    /** @param generatedKey the signature key made at start because none was set (shown once), or null */
    RelayLifecycle(RelaySettings settings, StartupCheck startup, IngressGate gate,
                   TargetActivity activity, QueueDepths depths, String generatedKey) {
        this.settings = settings;
        this.startup = startup;
        this.gate = gate;
        this.activity = activity;
        this.depths = depths;
        this.generatedKey = generatedKey;
    }

    /** Registers this lifecycle with {@code context}: as its start-up listener and as a stop notifier. */
    void on(CamelContext context) throws Exception {
        context.getManagementStrategy().addEventNotifier(this);
        context.addStartupListener(this);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // Camel calls this more than once while the routes start: it must neither throw nor do anything twice
        hardenManagement(context);
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        hardenManagement(context);
        // Camel may call this twice as well (once from the supervising route controller): the verdict, the gauges'
        // timer and the generated key's lines happen once
        if (!fullyStarted.compareAndSet(false, true)) {
            return;
        }
        // a fatal start-up error (a port in use, a route that cannot start) ends the start here, before the ready
        // line, with one line naming its cause (RelayMain)
        startup.verify(context);
        StartupReport.targets(context).forEach(activity::register);
        gate.open();   // every target's queue is bound (or its route is being retried): take webhooks
        ScheduledExecutorService timer = context.getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "queue-depths");
        timer.scheduleWithFixedDelay(depths::refresh, 0, QUEUE_DEPTHS_EVERY_SECONDS, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(NativeHeapTrim::trim, TRIM_EVERY_SECONDS, TRIM_EVERY_SECONDS, TimeUnit.SECONDS);
        if (generatedKey != null) {
            StartupReport.generatedKey(generatedKey, settings.httpPort());
        }
        startup.readyWhenEveryRouteRuns(context);
    }

    /**
     * The management server's router, once it exists (it may start after some routes). The webhook's server is
     * hardened before it listens (WebhookHttpServer); Camel makes this one, and a request in the first moments of its
     * life is answered by Camel's handlers alone (health and metrics, which give nothing away at the configured
     * exposure level).
     */
    private void hardenManagement(CamelContext context) {
        VertxPlatformHttpRouter management = VertxPlatformHttpRouter.lookup(
                context, VertxPlatformHttpRouter.getRouterNameFromPort(settings.managementPort()));
        if (management != null && managementHardened.compareAndSet(false, true)) {
            HttpHardening.installOnManagement(management);
        }
    }

    @Override
    public void notify(CamelEvent event) {
        gate.close();
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event.getType() == CamelEvent.Type.CamelContextStopping;
    }
}
