package io.sqreenrelay;

import io.sqreenrelay.broker.BrokerConnections;
import io.sqreenrelay.broker.EmbeddedBroker;
import io.sqreenrelay.delivery.NotificationText;
import io.sqreenrelay.ingress.ContentTypeCheck;
import io.sqreenrelay.ingress.EventIntake;
import io.sqreenrelay.ingress.RecentEventKeys;
import io.sqreenrelay.ingress.SignatureCheck;
import io.sqreenrelay.ingress.WebhookSignature;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Binds what the YAML routes refer to: the broker connection (starting the embedded broker when no
 * {@code RABBITMQ_URI} is set) and the ingress processors. Everything it reads comes from {@code relay.*} properties.
 */
public class RelayConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        RelaySettings settings = RelaySettings.read(name -> properties.resolveProperty(name).orElse(null));
        context.getRegistry().bind("relaySettings", settings);

        List<String> keys = settings.signatureKeys();
        String generatedKey = null;
        if (keys.isEmpty()) {
            generatedKey = randomKey();
            keys = List.of(generatedKey);
        }
        RecentEventKeys recentKeys = new RecentEventKeys(settings.dedupWindow());
        context.getRegistry().bind("signatureCheck", new SignatureCheck(new WebhookSignature(keys)));
        context.getRegistry().bind("contentTypeCheck", new ContentTypeCheck());
        context.getRegistry().bind("eventIntake", new EventIntake(settings.applicationId(), recentKeys));
        context.getRegistry().bind("recentEventKeys", recentKeys);
        context.getRegistry().bind("notificationText", new NotificationText());
        // Every target queue is durable, and a quorum queue on RabbitMQ (replicated; the embedded broker ignores
        // the argument). A Map bean, because endpoint parameters would turn x-queue-type into xQueueType; the
        // endpoint reads it without changing it, but wants a mutable map.
        context.getRegistry().bind("targetQueueArgs",
                new HashMap<>(Map.of("queue.durable", "true", "queue.x-queue-type", "quorum")));

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

        String keyToShow = generatedKey;
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(
                        started, VertxPlatformHttpRouter.getRouterNameFromPort(settings.httpPort()));
                new HttpHardening(settings.maxBodySize())
                        .installOn(router != null ? router : VertxPlatformHttpRouter.lookup(started));
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                if (keyToShow != null) {
                    StartupReport.generatedKey(keyToShow, settings.httpPort());
                }
                StartupReport.summary(started, settings);
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
