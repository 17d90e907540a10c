package io.sqreenrelay.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.component.springrabbit.DefaultListenerContainerFactory;
import org.apache.camel.component.springrabbit.ListenerContainerFactory;
import org.apache.camel.component.springrabbit.SpringRabbitMQEndpoint;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.Connection;
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
        if (endpoint.getQueues() != null && endpoint.getConnectionFactory() != null) {
            checkQueueArguments(endpoint);
        }
        AbstractMessageListenerContainer container = delegate.createListenerContainer(endpoint);
        if (endpoint.getQueues() != null) {
            byQueues.put(endpoint.getQueues(), container);
        }
        return container;
    }

    /**
     * Declares the endpoint's queue as its consumer will, to say clearly what is wrong when it exists with other
     * arguments (406 PRECONDITION_FAILED: queue arguments cannot change on an existing queue): the route cannot start,
     * nor will it ever without the migration, so the start fails with a line that names the queue and the way out. A
     * broker that cannot be reached is left to the consumer, which retries.
     *
     * @throws QueueArgumentsDiffer naming the queue and the way out, when the arguments differ
     */
    static void checkQueueArguments(SpringRabbitMQEndpoint endpoint) {
        Map<String, Object> arguments = new HashMap<>(endpoint.getQueueArgs());
        boolean durable = Boolean.parseBoolean(String.valueOf(arguments.remove("durable")));
        arguments.remove("autoDelete");
        arguments.remove("exclusive");
        String queue = endpoint.getQueues();
        try (Connection connection = endpoint.getConnectionFactory().createConnection();
             Channel channel = connection.createChannel(false)) {
            channel.queueDeclare(queue, durable, false, false, arguments);
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException signal
                    && signal.getReason() instanceof AMQP.Channel.Close close
                    && close.getReplyCode() == AMQP.PRECONDITION_FAILED) {
                String message = "Queue " + queue + " exists with other arguments than the relay declares " + arguments
                        + " (the broker said: " + close.getReplyText() + "). Queue arguments cannot change on an existing"
                        + " queue: see docs/operations.md, \"Migrating existing queues\"";
                throw new QueueArgumentsDiffer(message);          // ends the start with this one line
            }
        } catch (AmqpException | TimeoutException e) {
            // the broker is not there: the consumer retries, and says so
        }
    }

    /** The consumer container of the endpoint that consumes {@code queues}, if one was made. */
    public AbstractMessageListenerContainer of(String queues) {
        return byQueues.get(queues);
    }
}
