package io.sqreenrelay.broker;

import java.net.URI;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.amqp.rabbit.config.RetryInterceptorBuilder;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * The broker layer's beans, bound beside the classes they wire: the connection factory (to RabbitMQ, or to the
 * embedded broker started here), the events exchange, the queue arguments and listener containers the delivery
 * template names, the wait queues and dead letters of failed deliveries, and {@code #requeueOnFailure}. Each broker
 * resource is a Camel service, stopped in the reverse order of its start (the broker last).
 *
 * <p>Properties read (application.properties): {@code relay.exchange}, {@code relay.queue-prefix},
 * {@code relay.confirm-timeout-ms}, and {@code relay.requeue.*} (what becomes of a message whose failure could not be
 * settled).
 *
 * @param connections the relay's one connection factory (bound as {@code brokerConnectionFactory})
 * @param queues      confirmed publishing to durable queues
 * @param deadLetters every target's dead-letter queue
 * @param waitQueues  where failed events wait for their next attempt
 * @param containers  the listener containers of the targets' consumers (bound as {@code listenerContainers})
 * @param targetQueuePrefix the name of a target's queue without the target's name ({@code relay.queue-prefix})
 * @param started     true once the broker can be connected to (the embedded broker starts while the routes load; a
 *                    RabbitMQ is always "started": whether it answers is the connection's business)
 */
public record BrokerBeans(CachingConnectionFactory connections, DurableQueues queues, DeadLetters deadLetters,
                          WaitQueues waitQueues, ListenerContainers containers, String targetQueuePrefix,
                          BooleanSupplier started) {

    /**
     * The registry name of an embedded broker begun before the beans are made (RelayMain begins it as Camel Main
     * starts); without one, {@link #bind} begins it.
     */
    public static final String EMBEDDED_BROKER = "embeddedBroker";

    /** The admin API lists at most this many dead letters per target (it always gives the count). */
    private static final int DEAD_LETTERS_LISTED = 1000;

    /**
     * Connects (starting the embedded broker when {@code rabbitmqUri} is null) and binds the broker's beans.
     *
     * @param embeddedDir the embedded broker's work directory (used only without {@code rabbitmqUri})
     * @throws Exception when the embedded broker cannot be begun (its start itself is awaited when the context starts)
     */
    public static BrokerBeans bind(CamelContext context, URI rabbitmqUri, Path embeddedDir) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Registry registry = context.getRegistry();
        CachingConnectionFactory connections;
        BooleanSupplier started = () -> true;
        if (rabbitmqUri == null) {
            // started meanwhile; this service, started early (as the context starts, before any route or later
            // service), waits for it, so nothing connects before it listens
            EmbeddedBroker early = registry.lookupByNameAndType(EMBEDDED_BROKER, EmbeddedBroker.class);
            boolean same = early != null && early.workDir().equals(embeddedDir.toAbsolutePath());
            if (early != null && !same) {
                early.close();   // begun for another directory: not this relay's broker
            }
            EmbeddedBroker broker = same ? early : EmbeddedBroker.starting(embeddedDir);
            context.addService(new ServiceSupport() {
                @Override
                protected void doStart() throws Exception {
                    broker.awaitStarted();
                }

                @Override
                protected void doStop() {
                    broker.close();
                }
            }, true, true);
            connections = BrokerConnections.toEmbedded(broker);
            started = broker::isStarted;
        } else {
            connections = BrokerConnections.toRabbitMq(rabbitmqUri);
        }
        context.addService(onStop(connections::destroy));   // added after the broker, so stopped before it
        registry.bind("brokerConnectionFactory", connections);
        ListenerContainers containers = new ListenerContainers();
        registry.bind("listenerContainers", containers);
        // Every target queue is durable, and a quorum queue on RabbitMQ with an explicit delivery limit (replicated;
        // the embedded broker ignores the arguments); rate-limited targets' queues have a single active consumer.
        // Map beans, because endpoint parameters would turn x-queue-type into xQueueType.
        registry.bind("targetQueueArgs", QueueArguments.targetEndpointArgs(false));
        registry.bind("singleConsumerQueueArgs", QueueArguments.targetEndpointArgs(true));

        String prefix = properties.resolveProperty("relay.queue-prefix").orElseThrow();
        DurableQueues queues = new DurableQueues(connections, QueueArguments.quorum(),
                Long.parseLong(properties.resolveProperty("relay.confirm-timeout-ms").orElseThrow()));
        // accepted events: one confirmed message per request on the exchange every target's queue is bound to
        registry.bind("eventsExchange", new EventsExchange(queues, properties.resolveProperty("relay.exchange").orElseThrow()));
        // A target's message whose failure the route could not settle (the broker was away while parking it) is tried
        // again a few times, then stored again at the end of its queue (or, broker away, returned to it): never
        // dropped, and never bounced against the broker's delivery limit.
        registry.bind("requeueOnFailure", RetryInterceptorBuilder.stateless()
                .maxAttempts(Integer.parseInt(properties.resolveProperty("relay.requeue.max-attempts").orElseThrow()))
                .backOffOptions(Long.parseLong(properties.resolveProperty("relay.requeue.first-delay-ms").orElseThrow()),
                        2.0, Long.parseLong(properties.resolveProperty("relay.requeue.max-delay-ms").orElseThrow()))
                .recoverer(new RequeueAtTail(queues))
                .build());
        DeadLetters deadLetters = new DeadLetters(queues, prefix, DEAD_LETTERS_LISTED);
        WaitQueues waitQueues = new WaitQueues(connections, queues, prefix, deadLetters);
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
        return new BrokerBeans(connections, queues, deadLetters, waitQueues, containers, prefix, started);
    }

    private static ServiceSupport onStop(Runnable stop) {
        return new ServiceSupport() {
            @Override
            protected void doStop() {
                stop.run();
            }
        };
    }
}
