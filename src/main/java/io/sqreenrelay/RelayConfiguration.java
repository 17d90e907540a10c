package io.sqreenrelay;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sqreenrelay.broker.BrokerConnections;
import io.sqreenrelay.broker.EmbeddedBroker;
import io.sqreenrelay.broker.EventsExchange;
import io.sqreenrelay.broker.DeadLetters;
import io.sqreenrelay.broker.DurableQueues;
import io.sqreenrelay.broker.ListenerContainers;
import io.sqreenrelay.broker.QueueArguments;
import io.sqreenrelay.broker.RequeueAtTail;
import io.sqreenrelay.broker.WaitQueues;
import io.sqreenrelay.dedup.RedisKeyStore;
import io.sqreenrelay.delivery.DeadLetterAdmin;
import io.sqreenrelay.delivery.DeliveredKeys;
import io.sqreenrelay.delivery.DeliveryFailures;
import io.sqreenrelay.delivery.DeliveryOutcomes;
import io.sqreenrelay.delivery.NotificationText;
import io.sqreenrelay.delivery.TargetActivity;
import io.sqreenrelay.delivery.TargetHolds;
import io.sqreenrelay.ingress.ContentTypeCheck;
import io.sqreenrelay.ingress.EventIntake;
import io.sqreenrelay.ingress.IngressGate;
import io.sqreenrelay.ingress.RecentEventKeys;
import io.sqreenrelay.ingress.SignatureCheck;
import io.sqreenrelay.ingress.WebhookSignature;
import io.sqreenrelay.observe.BrokerHealthCheck;
import io.sqreenrelay.observe.ConsumersHealthCheck;
import io.sqreenrelay.observe.DedupHealthCheck;
import io.sqreenrelay.observe.IngressHealthCheck;
import io.sqreenrelay.observe.QueueDepths;
import io.sqreenrelay.observe.TargetsHealthCheck;
import io.sqreenrelay.observe.WebhookRequests;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.amqp.rabbit.config.RetryInterceptorBuilder;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Binds what the YAML routes refer to: the broker connection (starting the embedded broker when no
 * {@code RABBITMQ_URI} is set) and the ingress processors. Everything it reads comes from {@code relay.*} properties.
 */
public class RelayConfiguration implements CamelConfiguration {

    /** The admin API lists at most this many dead letters per target (it always gives the count). */
    private static final int DEAD_LETTERS_LISTED = 1000;
    private static final String METRICS_REGISTRY = "metricsRegistry";
    private static final String WEBHOOK_ROUTE = "webhook-ingress";
    /** How often the queue-depth gauges are read from the broker. */
    private static final int QUEUE_DEPTHS_EVERY_SECONDS = 5;

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        RelaySettings settings = RelaySettings.read(name -> properties.resolveProperty(name).orElse(null));
        Path routesDir = Path.of(properties.resolveProperty("relay.routes-dir").orElse("routes"));
        context.getRegistry().bind("relaySettings", settings);
        StartupCheck startup = new StartupCheck(settings, routesDir, WEBHOOK_ROUTE);
        startup.portsAreFree();
        // the routes' platform-http endpoints serve on HTTP_PORT; health and metrics have MANAGEMENT_PORT to themselves
        context.getRegistry().bind(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME, PlatformHttpEngine.class,
                new WebhookHttpEngine(settings.httpPort()));

        List<String> keys = settings.signatureKeys();
        String generatedKey = null;
        if (keys.isEmpty()) {
            generatedKey = randomKey();
            keys = List.of(generatedKey);
        }
        // one Prometheus registry for the relay's meters and Camel's: camel-micrometer-prometheus's, or made here
        // for it to find by name
        PrometheusMeterRegistry meters = context.getRegistry()
                .lookupByNameAndType(METRICS_REGISTRY, PrometheusMeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            context.getRegistry().bind(METRICS_REGISTRY, meters);
        }
        WebhookRequests webhookRequests = new WebhookRequests(meters);
        context.getRegistry().bind("webhookRequests", webhookRequests);
        TargetActivity activity = new TargetActivity(meters);
        context.getRegistry().bind("targetActivity", activity);
        IngressGate gate = new IngressGate();
        ListenerContainers listenerContainers = new ListenerContainers();
        context.getRegistry().bind("listenerContainers", listenerContainers);

        // what was received and delivered lately, kept across restarts to spare duplicates: in journals (one relay), or
        // in Redis, shared by every relay of a cluster (REDIS_URI)
        Path stateDir = settings.dataDir().resolve("state");
        DedupSettings dedup = DedupSettings.read(name -> properties.resolveProperty(name).orElse(null));
        RedisKeyStore shared = null;
        if (dedup.shared()) {
            shared = new RedisKeyStore(dedup.redisUri(), dedup.ttl(), dedup.keyPrefix(), dedup.timeout(),
                    dedup.description(), meters);
            context.addService(closing(shared));
        }
        RecentEventKeys recentKeys = shared != null ? new RecentEventKeys(shared)
                : new RecentEventKeys(settings.dedupWindow(), stateDir);
        context.addService(closing(recentKeys));
        context.getRegistry().bind("signatureCheck", new SignatureCheck(new WebhookSignature(keys)));
        context.getRegistry().bind("contentTypeCheck", new ContentTypeCheck());
        context.getRegistry().bind("eventIntake", new EventIntake(settings.applicationId(), recentKeys));
        context.getRegistry().bind("recentEventKeys", recentKeys);
        context.getRegistry().bind("notificationText", new NotificationText());
        TargetSettings targets = TargetSettings.read(name -> properties.resolveProperty(name).orElse(null));
        DeliveredKeys delivered = new DeliveredKeys(settings.dedupWindow(), stateDir, shared);
        context.addService(delivered);
        context.getRegistry().bind("deliveredKeys", delivered);
        TargetBeans.bind(context.getRegistry(), settings, targets, delivered);
        // Every target queue is durable, and a quorum queue on RabbitMQ with an explicit delivery limit (replicated;
        // the embedded broker ignores the arguments); rate-limited targets' queues have a single active consumer
        // (QueueArguments). Map beans, because endpoint parameters would turn x-queue-type into xQueueType.
        context.getRegistry().bind("targetQueueArgs", QueueArguments.targetEndpointArgs(false));
        context.getRegistry().bind("singleConsumerQueueArgs", QueueArguments.targetEndpointArgs(true));

        CachingConnectionFactory connections;
        if (settings.embeddedBroker()) {
            EmbeddedBroker broker = EmbeddedBroker.start(settings.dataDir().resolve("broker"));
            context.addService(closing(broker));
            connections = BrokerConnections.toEmbedded(broker);
        } else {
            connections = BrokerConnections.toRabbitMq(settings.rabbitmqUri());
        }
        // added after the broker, so stopped before it
        context.addService(closing(connections::destroy));
        context.getRegistry().bind("brokerConnectionFactory", connections);

        // failed deliveries wait in the broker for their next attempt, or go to the target's dead letters
        String targetQueuePrefix = properties.resolveProperty("relay.queue-prefix").orElseThrow();
        DurableQueues queues = new DurableQueues(connections, QueueArguments.quorum(),
                Long.parseLong(properties.resolveProperty("relay.confirm-timeout-ms").orElse("5000")));
        // A target's message whose failure the route could not settle (the broker was away while parking it) is
        // tried again three times, then stored again at the end of its queue (or, broker away, returned to it): never
        // dropped, and never bounced against the broker's delivery limit.
        context.getRegistry().bind("requeueOnFailure", RetryInterceptorBuilder.stateless()
                .maxAttempts(3)
                .backOffOptions(1000, 2.0, 5000)
                .recoverer(new RequeueAtTail(queues))
                .build());
        // accepted events: one confirmed message per request on the exchange every target's queue is bound to
        context.getRegistry().bind("eventsExchange",
                new EventsExchange(queues, properties.resolveProperty("relay.exchange").orElseThrow()));
        DeadLetters deadLetters = new DeadLetters(queues, targetQueuePrefix, DEAD_LETTERS_LISTED);
        WaitQueues waitQueues = new WaitQueues(connections, queues, targetQueuePrefix, deadLetters);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStart() {
                waitQueues.start();
            }

            @Override
            protected void doStop() {
                waitQueues.close();
            }
        });
        TargetHolds holds = new TargetHolds(shared);
        context.getRegistry().bind("targetHolds", holds);
        context.getRegistry().bind("deliveryFailures", new DeliveryFailures(
                new DeliveryOutcomes(targets.retry(), () -> ThreadLocalRandom.current().nextDouble()), waitQueues,
                deadLetters, activity, holds));
        Supplier<List<String>> targetsOn = () -> StartupReport.targets(context);
        context.getRegistry().bind("adminAccess", new AdminAccess(targets.adminToken()));
        context.getRegistry().bind("deadLetterAdmin", new DeadLetterAdmin(deadLetters, targetsOn));

        int retryAfterSeconds = Integer.parseInt(properties.resolveProperty("relay.retry-after-seconds").orElse("5"));
        long bodyTimeoutMillis = Long.parseLong(properties.resolveProperty("relay.body-timeout-ms").orElse("10000"));
        QueueDepths depths = new QueueDepths(meters, queues, deadLetters, targetQueuePrefix, targetsOn);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new IngressHealthCheck(gate, WEBHOOK_ROUTE));
            health.register(new BrokerHealthCheck(connections, settings.brokerDescription()));
            health.register(new ConsumersHealthCheck(listenerContainers, waitQueues));
            health.register(new TargetsHealthCheck(activity, targetsOn));
            health.register(new DedupHealthCheck(shared, dedup.description()));
        }
        // SIGTERM (or any stop): close the door first, so that new webhooks get 503 while the rest drains
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                gate.close();
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event.getType() == CamelEvent.Type.CamelContextStopping;
            }
        });

        String keyToShow = generatedKey;
        context.getManagementStrategy().addEventNotifier(startup.routeEvents(() -> StartupReport.summary(context, settings)));
        AtomicBoolean webhookHardened = new AtomicBoolean();
        AtomicBoolean managementHardened = new AtomicBoolean();
        Runnable harden = () -> {
            // each HTTP server's router, once it exists (the management server may start after some routes)
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(
                    context, VertxPlatformHttpRouter.getRouterNameFromPort(settings.httpPort()));
            if (router != null && webhookHardened.compareAndSet(false, true)) {
                new HttpHardening(settings.maxBodySize(), retryAfterSeconds, gate, webhookRequests, bodyTimeoutMillis)
                        .installOn(router);
            }
            VertxPlatformHttpRouter management = VertxPlatformHttpRouter.lookup(
                    context, VertxPlatformHttpRouter.getRouterNameFromPort(settings.managementPort()));
            if (management != null && managementHardened.compareAndSet(false, true)) {
                HttpHardening.installOnManagement(management);
            }
        };
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // Camel calls this more than once while the routes start: it must neither throw nor do anything twice
                harden.run();
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                harden.run();
                // a fatal start-up error (a port in use, a route that cannot start) ends the start here, before the
                // ready line, with one line naming its cause (RelayMain)
                startup.verify(started);
                StartupReport.targets(started).forEach(activity::register);
                gate.open();   // every target's queue is bound (or its route is being retried): take webhooks
                ScheduledExecutorService timer = started.getExecutorServiceManager()
                        .newSingleThreadScheduledExecutor(RelayConfiguration.this, "queue-depths");
                timer.scheduleWithFixedDelay(depths::refresh, 0, QUEUE_DEPTHS_EVERY_SECONDS, TimeUnit.SECONDS);
                if (keyToShow != null) {
                    StartupReport.generatedKey(keyToShow, settings.httpPort());
                }
                startup.readyWhenEveryRouteRuns(started);
            }
        });
    }

    private static String randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A Camel service whose only job is to close something when the context stops. */
    private static ServiceSupport closing(AutoCloseable resource) {
        return new ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                resource.close();
            }
        };
    }
}
