package io.sqreenrelay.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.ChannelCallback;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Queues the relay owns besides the targets' own (wait queues, dead-letter queues): declared durable (quorum on
 * RabbitMQ, where the embedded broker ignores the argument), and written to with persistent messages whose
 * publisher confirm is awaited, as ingress does. A publish that is not confirmed throws: the caller's message then
 * stays where it was. Every publish is {@code mandatory}: one that reached no queue (an exchange with no queue bound,
 * a queue deleted meanwhile) comes back as a {@code basic.return}, which the broker sends before its confirm
 * (rabbitmq.com/docs/confirms, "When Will Published Messages Be Confirmed"), and throws {@link Unroutable}.
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

    /**
     * Reads every message the queue holds now, oldest first, and moves each one to the queue's tail unchanged (same
     * body and properties), so that the queue ends as it was, in the same order. Unlike {@code basic.get} and a
     * requeue, a move spends none of a message's deliveries ({@code x-delivery-limit}): each copy is a new message.
     * Each copy is confirmed before its original is acknowledged, so a failure half-way leaves a message twice, never
     * zero times.
     *
     * @param keep decides, per message, whether it stays (moved to the tail) or not (acknowledged only: the caller
     *             has stored it elsewhere, confirmed, before returning false)
     * @return how many messages were read
     */
    public int rotate(String queue, MessageVisitor keep) {
        return execute(channel -> {
            Channel physical = physical(channel);
            long count = declare(channel, queue).getMessageCount();
            int read = 0;
            for (long i = 0; i < count; i++) {
                GetResponse message = physical.basicGet(queue, false);
                if (message == null) {
                    break;
                }
                read++;
                if (keep.visit(message, physical)) {
                    publishMandatory(physical, "", queue, message.getProps(), message.getBody());   // confirmed
                }
                physical.basicAck(message.getEnvelope().getDeliveryTag(), false);
            }
            return read;
        });
    }

    /** What {@link #rotate} does with one message; may publish on {@code channel} (it is in confirm mode). */
    @FunctionalInterface
    public interface MessageVisitor {
        /** True to keep the message in its queue, false when it was stored elsewhere (confirmed). */
        boolean visit(GetResponse message, Channel channel) throws IOException, InterruptedException, TimeoutException;
    }

    /** A message that reached no queue: the broker returned it ({@code basic.return}) instead of storing it. */
    public static final class Unroutable extends AmqpException {
        Unroutable(String exchange, String routingKey, String reply) {
            super("the broker stored the message in no queue (exchange '" + exchange + "', routing key '" + routingKey
                    + "'): " + reply);
        }
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
        Channel physical = physical(channel);
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .contentType("application/json")
                .headers(new HashMap<>(headers))
                .build();
        publishMandatory(physical, exchange, routingKey, properties, body);
    }

    /** The physical channel behind the cache's proxy (see {@link #sendTo}); throws when it is closed. */
    private static Channel physical(Channel channel) {
        Channel physical = channel instanceof ChannelProxy proxy ? proxy.getTargetChannel() : channel;
        if (physical == null || !physical.isOpen()) {
            throw new AmqpConnectException(new IOException("the channel to the broker is closed"));
        }
        return physical;
    }

    /**
     * Publishes with {@code mandatory}, waits for the confirm and, if the broker returned the message (no queue took
     * it), throws {@link Unroutable}: the return comes before the confirm, on the same connection thread.
     */
    private void publishMandatory(Channel physical, String exchange, String routingKey, AMQP.BasicProperties properties,
                                  byte[] body) throws IOException, InterruptedException, TimeoutException {
        AtomicReference<String> returned = new AtomicReference<>();
        ReturnListener onReturn = (replyCode, replyText, returnedExchange, returnedKey, props, returnedBody) ->
                returned.compareAndSet(null, replyCode + " " + replyText);
        physical.addReturnListener(onReturn);
        try {
            physical.basicPublish(exchange, routingKey, true, properties, body);
            physical.waitForConfirmsOrDie(confirmTimeoutMillis);
        } finally {
            physical.removeReturnListener(onReturn);
        }
        if (returned.get() != null) {
            throw new Unroutable(exchange, routingKey, returned.get());
        }
    }

    public <T> T execute(ChannelCallback<T> work) {
        return template.execute(work);
    }
}
