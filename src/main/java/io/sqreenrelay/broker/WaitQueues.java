package io.sqreenrelay.broker;

import static io.sqreenrelay.broker.DeliveryHeaders.DUE_AT;
import static io.sqreenrelay.broker.DeliveryHeaders.RELEASE_AT;
import static io.sqreenrelay.broker.DeliveryHeaders.TARGET;
import static io.sqreenrelay.broker.DeliveryHeaders.number;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;

/**
 * Where events wait for their next delivery attempt, in the broker: a retry pending when the relay stops is
 * still there, and still due at the same time, when it starts again.
 *
 * <p>There is one durable queue per wait, from {@value #SHORTEST_WAIT_MS} ms doubling to about 17 minutes, shared by
 * every target. An event stays in a queue for exactly that queue's wait, so each queue is in release order and its
 * consumer only ever waits for the message at its head: a long wait never holds back a short one. An event due
 * in 5 s waits 4 s, then 1 s; when it is due, it goes back to its target's queue. This needs nothing but plain
 * queues and consumers, so it works the same on RabbitMQ and on the embedded broker, which has no per-message TTL
 * or dead-letter exchange arguments.
 *
 * <p>A message waiting in a queue is unacknowledged: if the relay stops or dies meanwhile, the broker gives it back,
 * and the next consumer to get it stores it afresh (in the wait queue that suits its due time, or in its target's
 * queue when due), so that a pending retry never spends its deliveries: under a broker delivery limit (RabbitMQ 4's
 * default is 20 returns) it survives any number of restarts. Each consumer holds one message at a time.
 */
public final class WaitQueues implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WaitQueues.class);
    static final long SHORTEST_WAIT_MS = 250;
    static final int LEVELS = 13;                     // 250 ms ... 1024 s
    private static final long POLL_MS = 100;

    private final CachingConnectionFactory connections;
    private final DurableQueues queues;
    private final String targetQueuePrefix;
    private final DeadLetters deadLetters;
    private final List<SimpleMessageListenerContainer> consumers = new CopyOnWriteArrayList<>();
    private volatile boolean running;

    public WaitQueues(CachingConnectionFactory connections, DurableQueues queues, String targetQueuePrefix,
                      DeadLetters deadLetters) {
        this.connections = connections;
        this.queues = queues;
        this.targetQueuePrefix = targetQueuePrefix;
        this.deadLetters = deadLetters;
    }

    /** The waits, in milliseconds, shortest first. */
    static long[] waits() {
        long[] waits = new long[LEVELS];
        for (int i = 0; i < LEVELS; i++) {
            waits[i] = SHORTEST_WAIT_MS << i;
        }
        return waits;
    }

    static String queueName(long waitMillis) {
        return "relay.wait." + (waitMillis < 1000 ? waitMillis + "ms" : waitMillis / 1000 + "s");
    }

    /** The queue for an event with {@code remaining} ms to wait: the longest wait that does not overshoot, or the shortest. */
    static long waitFor(long remaining) {
        long chosen = SHORTEST_WAIT_MS;
        for (long wait : waits()) {
            if (wait <= remaining) {
                chosen = wait;
            }
        }
        return chosen;
    }

    /** Declares the wait queues (again on every new connection: after a broker restart too) and starts their consumers. */
    public void start() {
        running = true;
        connections.addConnectionListener(new ConnectionListener() {
            @Override
            public void onCreate(org.springframework.amqp.rabbit.connection.Connection connection) {
                try (Channel channel = connection.createChannel(false)) {
                    for (long wait : waits()) {
                        queues.declare(channel, queueName(wait));
                    }
                } catch (Exception e) {
                    LOG.warn("Could not declare the wait queues: {}", e.toString());
                }
            }
        });
        for (long wait : waits()) {
            SimpleMessageListenerContainer consumer = new SimpleMessageListenerContainer(connections);
            consumer.setQueueNames(queueName(wait));
            consumer.setAcknowledgeMode(AcknowledgeMode.MANUAL);
            consumer.setPrefetchCount(1);
            consumer.setMissingQueuesFatal(false);
            consumer.setDefaultRequeueRejected(true);
            consumer.setShutdownTimeout(2000);
            consumer.setMessageListener((ChannelAwareMessageListener) this::onMessage);
            consumer.start();
            consumers.add(consumer);
        }
    }

    /** Puts an event in the wait queue that suits its due time ({@link io.sqreenrelay.broker.DeliveryHeaders#DUE_AT}). */
    public void park(byte[] body, Map<String, Object> headers) {
        long now = System.currentTimeMillis();
        long wait = waitFor(number(headers.get(DUE_AT)) - now);
        Map<String, Object> parked = new HashMap<>(headers);
        parked.put(RELEASE_AT, now + wait);
        queues.publish(queueName(wait), body, parked);
    }

    private void onMessage(Message message, Channel channel) throws IOException {
        long tag = message.getMessageProperties().getDeliveryTag();
        Map<String, Object> headers = message.getMessageProperties().getHeaders();
        // given back by a relay that stopped or died holding it: stored afresh at once (no wait: its due time decides)
        long releaseAt = Boolean.TRUE.equals(message.getMessageProperties().isRedelivered()) ? 0 : number(headers.get(RELEASE_AT));
        try {
            while (running && System.currentTimeMillis() < releaseAt) {
                Thread.sleep(Math.min(POLL_MS, Math.max(1, releaseAt - System.currentTimeMillis())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!running || Thread.currentThread().isInterrupted()) {
            channel.basicNack(tag, false, true);            // stopping: back to the broker, same release time
            return;
        }
        try {
            if (number(headers.get(DUE_AT)) > System.currentTimeMillis()) {
                park(message.getBody(), headers);
            } else {
                release(message.getBody(), headers);
            }
            channel.basicAck(tag, false);
        } catch (RuntimeException e) {
            LOG.warn("Could not move a waiting event on, it stays in its wait queue: {}", e.toString());
            channel.basicNack(tag, false, true);
        }
    }

    /** A due event goes back to its target's queue; if that target's queue is gone, to its dead letters. */
    private void release(byte[] body, Map<String, Object> headers) {
        String target = String.valueOf(headers.get(TARGET));
        String targetQueue = targetQueuePrefix + target;
        Map<String, Object> forward = new HashMap<>(headers);
        forward.remove(RELEASE_AT);
        forward.remove(DUE_AT);
        boolean exists = queues.exists(targetQueue);
        if (exists) {
            queues.publishTo(targetQueue, body, forward);
        } else {
            deadLetters.park(target, body, forward, "target queue " + targetQueue + " no longer exists");
        }
    }

    /** The wait queues whose consumer has stopped (none before {@link #start} or after {@link #close}). */
    public List<String> notConsuming() {
        return consumers.stream()
                .filter(consumer -> !consumer.isRunning())
                .flatMap(consumer -> Arrays.stream(consumer.getQueueNames()))
                .toList();
    }

    @Override
    public void close() {
        running = false;
        consumers.forEach(SimpleMessageListenerContainer::stop);
        consumers.clear();
    }
}
