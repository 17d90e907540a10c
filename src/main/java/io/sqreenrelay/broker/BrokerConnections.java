package io.sqreenrelay.broker;

import java.net.URI;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory.ConfirmType;

/**
 * The one connection factory the relay uses, to a RabbitMQ or to the embedded broker. Publisher confirms are on
 * (a 200 is only ever given once the broker confirmed), and connection attempts are short, so a missing broker
 * turns into a prompt 503 rather than a hanging request.
 *
 * <p>The targets' consumers run their deliveries on the connection's consumer threads. The AMQP client's default
 * is a fixed pool of twice the cores (4 here): a target that hangs until its time-out held those threads, and the
 * other targets' consumers waited behind it (TargetStormIT saw Slack's queue untouched for 80 s). The pool here
 * grows with the consumers that are busy at once, and its idle threads end after a minute.
 */
public final class BrokerConnections {

    private static final int CONNECTION_TIMEOUT_MS = 3000;
    private static final int HEARTBEAT_SECONDS = 10;
    private static final int CHANNEL_CACHE_SIZE = 64;
    private static final AtomicInteger CONSUMER_THREADS = new AtomicInteger();

    private BrokerConnections() {
    }

    public static CachingConnectionFactory toRabbitMq(URI uri) {
        CachingConnectionFactory factory = new CachingConnectionFactory();
        factory.setUri(uri);
        return configure(factory);
    }

    public static CachingConnectionFactory toEmbedded(EmbeddedBroker broker) {
        CachingConnectionFactory factory = new CachingConnectionFactory("127.0.0.1", broker.port());
        factory.setUsername(EmbeddedBroker.USER);
        factory.setPassword(broker.password());
        factory.setVirtualHost("default");
        return configure(factory);
    }

    private static CachingConnectionFactory configure(CachingConnectionFactory factory) {
        factory.setExecutor(Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "relay-consumer-" + CONSUMER_THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }));
        factory.setPublisherConfirmType(ConfirmType.SIMPLE);
        factory.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        factory.setRequestedHeartBeat(HEARTBEAT_SECONDS);
        factory.setChannelCacheSize(CHANNEL_CACHE_SIZE);
        factory.setConnectionNameStrategy(f -> "sqreen-relay");
        return factory;
    }
}
