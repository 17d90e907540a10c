package io.sqreenrelay.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.ChannelCallback;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Queues the relay owns besides the targets' own (wait queues, dead-letter queues): declared durable (quorum on
 * RabbitMQ, where the embedded broker ignores the argument), and written to with persistent messages whose
 * publisher confirm is awaited, as ingress does. A publish that is not confirmed throws: the caller's message then
 * stays where it was.
 */
public final class DurableQueues {

    private final RabbitTemplate template;
    private final Map<String, Object> queueArguments;
    private final long confirmTimeoutMillis;

    public DurableQueues(ConnectionFactory connections, Map<String, Object> queueArguments, long confirmTimeoutMillis) {
        this.template = new RabbitTemplate(connections);
        this.queueArguments = Map.copyOf(queueArguments);
        this.confirmTimeoutMillis = confirmTimeoutMillis;
    }

    /** Declares the queue (nothing changes if it exists with the same settings). */
    public AMQP.Queue.DeclareOk declare(Channel channel, String queue) throws IOException {
        return channel.queueDeclare(queue, true, false, false, queueArguments);
    }

    /** Declares the queue if needed, then stores the message in it, persistent, and waits for the broker's confirm. */
    public void publish(String queue, byte[] body, Map<String, Object> headers) {
        execute(channel -> {
            declare(channel, queue);
            send(channel, queue, body, headers);
            return null;
        });
    }

    /** Stores the message in a queue that exists (a target's own, declared by its consumer). */
    public void publishTo(String queue, byte[] body, Map<String, Object> headers) {
        execute(channel -> {
            send(channel, queue, body, headers);
            return null;
        });
    }

    /** True when the queue exists. */
    public boolean exists(String queue) {
        return execute(channel -> {
            try {
                channel.queueDeclarePassive(queue);
                return true;
            } catch (IOException e) {
                if (isNotFound(e)) {
                    return false;                           // the channel is closed; the cache replaces it
                }
                throw e;
            }
        });
    }

    /** How many messages the queue holds ready for a consumer (not those a consumer holds unacknowledged). */
    public long readyMessages(String queue) {
        return execute(channel -> (long) channel.queueDeclarePassive(queue).getMessageCount());
    }

    /** True when the broker answered that a queue does not exist (404 NOT_FOUND). */
    public static boolean isNotFound(IOException failure) {
        return failure.getCause() instanceof ShutdownSignalException signal
                && signal.getReason() instanceof AMQP.Channel.Close close
                && close.getReplyCode() == AMQP.NOT_FOUND;
    }

    /** Stores the message in every queue bound to a (fanout) exchange: persistent, and confirmed before it returns. */
    public void publishToExchange(String exchange, byte[] body) {
        execute(channel -> {
            sendTo(channel, exchange, "", body, Map.of());
            return null;
        });
    }

    /** Sends on a channel the caller holds (in confirm mode): persistent, and confirmed before it returns. */
    public void send(Channel channel, String queue, byte[] body, Map<String, Object> headers)
            throws IOException, InterruptedException, TimeoutException {
        sendTo(channel, "", queue, body, headers);
    }

    /**
     * Publishes and waits for the confirm on the same physical channel. Through the cache's proxy, a wait that comes
     * after the connection dropped would run on a fresh channel that has nothing to confirm, and return at once: a
     * message lost in the cut would look confirmed (spring-amqp#3625 shows the same proxy behaviour). On the physical
     * channel, a cut makes the wait throw.
     */
    private void sendTo(Channel channel, String exchange, String routingKey, byte[] body, Map<String, Object> headers)
            throws IOException, InterruptedException, TimeoutException {
        Channel physical = channel instanceof ChannelProxy proxy ? proxy.getTargetChannel() : channel;
        if (physical == null || !physical.isOpen()) {
            throw new AmqpConnectException(new IOException("the channel to the broker is closed"));
        }
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .contentType("application/json")
                .headers(new HashMap<>(headers))
                .build();
        physical.basicPublish(exchange, routingKey, false, properties, body);
        physical.waitForConfirmsOrDie(confirmTimeoutMillis);
    }

    public <T> T execute(ChannelCallback<T> work) {
        return template.execute(work);
    }
}
