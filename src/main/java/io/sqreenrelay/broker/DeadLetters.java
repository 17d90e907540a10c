package io.sqreenrelay.broker;

import static io.sqreenrelay.delivery.DeliveryHeaders.DEAD_AT;
import static io.sqreenrelay.delivery.DeliveryHeaders.FAILURES;
import static io.sqreenrelay.delivery.DeliveryHeaders.FIRST_FAILURE_AT;
import static io.sqreenrelay.delivery.DeliveryHeaders.LAST_ERROR;
import static io.sqreenrelay.delivery.DeliveryHeaders.number;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.sqreenrelay.delivery.Recipients;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each target's dead-letter queue ({@code relay.dead.<target>}): the events that failed for good, with the last
 * error and the number of attempts. Ops list them and replay them (through the admin API); a replayed event goes
 * back to its target's queue as if new, with a fresh retry budget.
 */
public final class DeadLetters {

    /**
     * One dead-lettered event, as the admin API shows it. {@code recipient}: the one recipient it failed for (an SMS
     * number, a mail address), null when it failed for the whole target.
     */
    public record DeadLetter(String key, String recipient, int attempts, String lastError, String firstFailureAt,
                             String deadLetteredAt) {
    }

    /** A target's dead letters: how many there are, and the first {@code events} of them. */
    public record Listing(String target, long count, List<DeadLetter> events) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUEUE_PREFIX = "relay.dead.";

    private final DurableQueues queues;
    private final String targetQueuePrefix;
    private final int listLimit;

    public DeadLetters(DurableQueues queues, String targetQueuePrefix, int listLimit) {
        this.queues = queues;
        this.targetQueuePrefix = targetQueuePrefix;
        this.listLimit = listLimit;
    }

    public static String queueName(String target) {
        return QUEUE_PREFIX + target;
    }

    /** How many events the target's dead-letter queue holds. */
    public long count(String target) {
        return queues.execute(channel -> queues.declare(channel, queueName(target)).getMessageCount());
    }

    /** Stores an event (a one-event batch, as in a target's queue) in the target's dead-letter queue. */
    public void park(String target, byte[] body, Map<String, Object> headers, String lastError) {
        Map<String, Object> dead = new HashMap<>(headers);
        dead.put(LAST_ERROR, lastError);
        dead.put(DEAD_AT, System.currentTimeMillis());
        queues.publish(queueName(target), body, dead);
    }

    /** The target's dead letters, oldest first, up to the listing limit; the queue is left as it was. */
    public Listing list(String target) {
        String queue = queueName(target);
        return queues.execute(channel -> {
            long count = queues.declare(channel, queue).getMessageCount();
            List<DeadLetter> events = new ArrayList<>();
            long lastTag = -1;
            try {
                for (int i = 0; i < Math.min(count, listLimit); i++) {
                    GetResponse message = channel.basicGet(queue, false);
                    if (message == null) {
                        break;
                    }
                    lastTag = message.getEnvelope().getDeliveryTag();
                    events.add(describe(message));
                }
            } finally {
                if (lastTag >= 0) {
                    channel.basicNack(lastTag, true, true);     // every message read goes back, in its place
                }
            }
            return new Listing(target, count, events);
        });
    }

    /**
     * Sends the target's dead letters back to its queue, all of them or only the one with {@code key}.
     *
     * @return how many were replayed
     */
    public int replay(String target, String key) {
        String queue = queueName(target);
        String targetQueue = targetQueuePrefix + target;
        if (!queues.exists(targetQueue)) {
            throw new IllegalStateException("the queue of target " + target + " does not exist: is the target on?");
        }
        return queues.execute(channel -> {
            long count = queues.declare(channel, queue).getMessageCount();
            int replayed = 0;
            List<Long> kept = new ArrayList<>();
            try {
                // only the messages there now: an event that fails again while this runs is not replayed twice
                for (long i = 0; i < count; i++) {
                    GetResponse message = channel.basicGet(queue, false);
                    if (message == null) {
                        break;
                    }
                    long tag = message.getEnvelope().getDeliveryTag();
                    if (key == null || key.equals(keyOf(message.getBody()))) {
                        // as if new, but for the one recipient it failed for, if it was one
                        queues.send(channel, targetQueue, message.getBody(), recipientOf(message));
                        channel.basicAck(tag, false);
                        replayed++;
                    } else {
                        kept.add(tag);
                    }
                }
            } finally {
                for (long tag : kept) {
                    channel.basicNack(tag, false, true);
                }
            }
            return replayed;
        });
    }

    private static Map<String, Object> recipientOf(GetResponse message) {
        Object recipient = headersOf(message).get(Recipients.RECIPIENT);
        return recipient == null ? Map.of() : Map.of(Recipients.RECIPIENT, recipient.toString());
    }

    private static Map<String, Object> headersOf(GetResponse message) {
        return message.getProps().getHeaders() == null ? Map.of() : message.getProps().getHeaders();
    }

    private static DeadLetter describe(GetResponse message) {
        Map<String, Object> headers = headersOf(message);
        Object recipient = headers.get(Recipients.RECIPIENT);
        return new DeadLetter(
                keyOf(message.getBody()),
                recipient == null ? null : recipient.toString(),
                (int) number(headers.get(FAILURES)),
                headers.get(LAST_ERROR) == null ? null : headers.get(LAST_ERROR).toString(),
                time(headers.get(FIRST_FAILURE_AT)),
                time(headers.get(DEAD_AT)));
    }

    private static String time(Object epochMillis) {
        long value = number(epochMillis);
        return value == 0 ? null : Instant.ofEpochMilli(value).toString();
    }

    /** The event key of a stored one-event batch; null when the message is not one the relay wrote. */
    static String keyOf(byte[] body) {
        try {
            JsonNode batch = JSON.readTree(body);
            JsonNode first = batch.isArray() && !batch.isEmpty() ? batch.get(0) : batch;
            return first.hasNonNull("key") ? first.get("key").asText() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
