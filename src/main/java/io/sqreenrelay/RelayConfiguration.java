package io.sqreenrelay;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sqreenrelay.admin.AdminAccess;
import io.sqreenrelay.admin.DeadLetterAdmin;
import io.sqreenrelay.admin.TargetAdmin;
import io.sqreenrelay.broker.BrokerBeans;
import io.sqreenrelay.dedup.RedisKeyStore;
import io.sqreenrelay.delivery.DeliveredKeys;
import io.sqreenrelay.delivery.DeliveryBeans;
import io.sqreenrelay.delivery.TargetActivity;
import io.sqreenrelay.delivery.TargetSuspensions;
import io.sqreenrelay.ingress.ContentTypeCheck;
import io.sqreenrelay.ingress.EventIntake;
import io.sqreenrelay.ingress.IngressGate;
import io.sqreenrelay.ingress.KeysInFlight;
import io.sqreenrelay.ingress.RecentEventKeys;
import io.sqreenrelay.ingress.SignatureCheck;
import io.sqreenrelay.ingress.WebhookSignature;
import io.sqreenrelay.observe.QueueDepths;
import io.sqreenrelay.observe.RelayHealthChecks;
import io.sqreenrelay.observe.WebhookRequests;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.spi.Registry;

/**
 * Binds what the YAML routes refer to, layer by layer: settings and HTTP engine, metrics, de-duplication keys,
 * ingress, broker (BrokerBeans), delivery, admin API, health checks, and the start/stop lifecycle (RelayLifecycle).
 * Every value it reads is a {@code relay.*} property of application.properties; the bean names are the routes'.
 */
public class RelayConfiguration implements CamelConfiguration {

    private static final String METRICS_REGISTRY = "metricsRegistry";
    private static final String WEBHOOK_ROUTE = "webhook-ingress";

    @Override
    public void configure(CamelContext context) throws Exception {
        Function<String, String> property = checkedProperties(context);
        Registry registry = context.getRegistry();
        RelaySettings settings = RelaySettings.read(property);
        registry.bind("relaySettings", settings);
        StartupCheck startup = new StartupCheck(settings, Path.of(property.apply("relay.routes-dir")), WEBHOOK_ROUTE);
        startup.portsAreFree();
        DataDirLock.hold(settings.dataDir());   // one relay per DATA_DIR, checked before any store in it is opened
        // the routes' platform-http endpoints serve on HTTP_PORT; health and metrics have MANAGEMENT_PORT to themselves
        registry.bind(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME, PlatformHttpEngine.class,
                new WebhookHttpEngine(settings.httpPort()));
        // one Prometheus registry for the relay's meters and Camel's: camel-micrometer-prometheus's, or made here
        PrometheusMeterRegistry meters = Optional.ofNullable(registry.lookupByNameAndType(METRICS_REGISTRY,
                PrometheusMeterRegistry.class)).orElseGet(() -> bound(registry, PrometheusConfig.DEFAULT));
        WebhookRequests webhookRequests = new WebhookRequests(meters);
        registry.bind("webhookRequests", webhookRequests);
        TargetActivity activity = new TargetActivity(meters);
        registry.bind("targetActivity", activity);

        // what was received and delivered lately, kept across restarts to spare duplicates: in journals (one relay),
        // or in Redis, shared by every relay of a cluster (REDIS_URI)
        Path stateDir = settings.dataDir().resolve("state");
        DedupSettings dedup = DedupSettings.read(property);
        RedisKeyStore shared = !dedup.shared() ? null : new RedisKeyStore(dedup.redisUri(), dedup.ttl(),
                dedup.keyPrefix(), dedup.timeout(), dedup.description(), meters);
        RecentEventKeys recentKeys = shared != null ? new RecentEventKeys(shared)
                : new RecentEventKeys(settings.dedupWindow(), stateDir);
        context.addService(new ClosingService(recentKeys, shared));
        List<String> keys = settings.signatureKeys();
        String generatedKey = keys.isEmpty() ? randomKey() : null;
        registry.bind("signatureCheck", new SignatureCheck(new WebhookSignature(
                generatedKey == null ? keys : List.of(generatedKey))));
        registry.bind("contentTypeCheck", new ContentTypeCheck());
        // a request waits for another storing the same events at most twice the broker's confirm timeout
        KeysInFlight inFlight = new KeysInFlight(2 * Long.parseLong(property.apply("relay.confirm-timeout-ms")));
        registry.bind("eventIntake", new EventIntake(settings.applicationId(), recentKeys, inFlight));
        registry.bind("recentEventKeys", recentKeys);

        TargetSettings targets = TargetSettings.read(property);
        BrokerBeans broker = BrokerBeans.bind(context, settings.rabbitmqUri(), settings.dataDir().resolve("broker"));
        Supplier<List<String>> targetsOn = () -> StartupReport.targets(context);
        DeliveredKeys delivered = DeliveryBeans.bind(context, targets.retry(), settings.dedupWindow(), stateDir, shared,
                broker, activity, meters, targetsOn);
        TargetBeans.bind(registry, settings, targets, delivered);
        TargetSuspensions suspensions = registry.lookupByNameAndType("targetSuspensions", TargetSuspensions.class);

        registry.bind("adminAccess", new AdminAccess(targets.adminToken()));
        registry.bind("deadLetterAdmin", new DeadLetterAdmin(broker.deadLetters(), targetsOn));
        registry.bind("targetAdmin", new TargetAdmin(suspensions, activity, targetsOn));

        IngressGate gate = new IngressGate();
        RelayHealthChecks.register(context, gate, WEBHOOK_ROUTE, broker, settings.brokerDescription(), activity,
                suspensions, targetsOn, shared, dedup.description());
        context.getManagementStrategy().addEventNotifier(startup.routeEvents(() -> StartupReport.summary(context, settings)));
        HttpHardening hardening = new HttpHardening(settings.maxBodySize(),
                Integer.parseInt(property.apply("relay.retry-after-seconds")), gate, webhookRequests,
                Long.parseLong(property.apply("relay.body-timeout-ms")));
        // the webhook's HTTP server, hardened before it listens; started before the routes that serve on it
        context.addService(new WebhookHttpServer(settings.httpPort(), settings.maxBodySize(), hardening), true, true);
        new RelayLifecycle(settings, startup, gate, activity, new QueueDepths(meters, broker.queues(),
                broker.deadLetters(), broker.targetQueuePrefix(), targetsOn), generatedKey).on(context);
    }

    /**
     * The relay's properties, read from {@code context} (a property's value, or null when unset), once every setting
     * was checked to hold no placeholder: checked before any property is resolved, since a value with two opening or
     * two closing braces would be read as one (and quoted in the error).
     *
     * @throws InvalidSetting naming the first setting that holds one
     */
    static Function<String, String> checkedProperties(CamelContext context) {
        VerbatimSettings.check(context.getPropertiesComponent().loadProperties(), System.getenv());
        return name -> context.getPropertiesComponent().resolveProperty(name).orElse(null);
    }

    private static String randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static PrometheusMeterRegistry bound(Registry registry, PrometheusConfig config) {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(config);
        registry.bind(METRICS_REGISTRY, meters);
        return meters;
    }
}
