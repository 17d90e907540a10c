package io.sqreenrelay.broker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.component.springrabbit.DefaultListenerContainerFactory;
import org.apache.camel.component.springrabbit.ListenerContainerFactory;
import org.apache.camel.component.springrabbit.SpringRabbitMQEndpoint;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;

/**
 * Makes the spring-rabbitmq consumers' listener containers the usual way, and remembers them by queue, so that
 * health can tell a consumer that has stopped listening from one that runs.
 */
public final class ListenerContainers implements ListenerContainerFactory {

    private final ListenerContainerFactory delegate = new DefaultListenerContainerFactory();
    private final Map<String, AbstractMessageListenerContainer> byQueues = new ConcurrentHashMap<>();

    @Override
    public AbstractMessageListenerContainer createListenerContainer(SpringRabbitMQEndpoint endpoint) {
        AbstractMessageListenerContainer container = delegate.createListenerContainer(endpoint);
        if (endpoint.getQueues() != null) {
            byQueues.put(endpoint.getQueues(), container);
        }
        return container;
    }

    /** The consumer container of the endpoint that consumes {@code queues}, if one was made. */
    public AbstractMessageListenerContainer of(String queues) {
        return byQueues.get(queues);
    }
}
