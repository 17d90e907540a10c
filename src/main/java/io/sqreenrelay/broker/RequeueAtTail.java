package io.sqreenrelay.broker;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.retry.MessageRecoverer;

/**
 * What becomes of a target's message whose failure the route could not settle (the broker refused to park an event):
 * a Spring AMQP {@link MessageRecoverer} that stores a copy at the tail of the queue it came from, confirmed, and
 * lets the original be acknowledged. The message comes back later as a new message: it spends none of its
 * deliveries, so a broker delivery limit (RabbitMQ 4: 20 returns) never drops it, and it does not block the messages
 * behind it. Only when even that copy cannot be stored (the broker is away) is the original returned to its queue.
 *
 * <p>Broker headers ({@code x-…}, such as {@code x-delivery-count}) are not copied: the copy is a new message.
 */
public final class RequeueAtTail implements MessageRecoverer {

    private static final Logger LOG = LoggerFactory.getLogger(RequeueAtTail.class);

    private final DurableQueues queues;

    public RequeueAtTail(DurableQueues queues) {
        this.queues = queues;
    }

    @Override
    public void recover(Message message, Throwable cause) {
        String queue = message.getMessageProperties().getConsumerQueue();
        Map<String, Object> headers = new HashMap<>();
        message.getMessageProperties().getHeaders().forEach((name, value) -> {
            if (!name.startsWith("x-") && value != null) {
                headers.put(name, value);
            }
        });
        try {
            queues.publishTo(queue, message.getBody(), headers);
            LOG.warn("A message of {} could not be settled ({}): it goes back to the end of its queue", queue,
                    cause.getClass().getSimpleName());
        } catch (AmqpException | IllegalStateException e) {
            throw new ImmediateRequeueAmqpException("cannot store the message again, it goes back to its queue", e);
        }
    }
}
