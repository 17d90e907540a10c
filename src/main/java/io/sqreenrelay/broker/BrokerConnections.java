package io.sqreenrelay.broker;

import java.net.URI;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory.ConfirmType;

/**
 * The one connection factory the relay uses, to a RabbitMQ or to the embedded broker. Publisher confirms are on
 * (a 200 is only ever given once the broker confirmed), and connection attempts are short, so a missing broker
 * turns into a prompt 503 rather than a hanging request.
 */
public final class BrokerConnections {

    private static final int CONNECTION_TIMEOUT_MS = 3000;
    private static final int HEARTBEAT_SECONDS = 10;
    private static final int CHANNEL_CACHE_SIZE = 64;

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
        factory.setPublisherConfirmType(ConfirmType.SIMPLE);
        factory.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        factory.setRequestedHeartBeat(HEARTBEAT_SECONDS);
        factory.setChannelCacheSize(CHANNEL_CACHE_SIZE);
        factory.setConnectionNameStrategy(f -> "sqreen-relay");
        return factory;
    }
}
