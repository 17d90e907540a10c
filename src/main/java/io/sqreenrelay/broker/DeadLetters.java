package io.sqreenrelay.broker;

import static io.sqreenrelay.broker.DeliveryHeaders.DEAD_AT;
import static io.sqreenrelay.broker.DeliveryHeaders.FAILURES;
import static io.sqreenrelay.broker.DeliveryHeaders.FIRST_FAILURE_AT;
import static io.sqreenrelay.broker.DeliveryHeaders.LAST_ERROR;
import static io.sqreenrelay.broker.DeliveryHeaders.RECIPIENT;
import static io.sqreenrelay.broker.DeliveryHeaders.number;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /**
     * The target's dead letters, oldest first, up to the listing limit; the queue is left as it was. Read by moving
     * each one to the queue's tail ({@link DurableQueues#rotate}), never by {@code basic.get} and a requeue, which
     * would spend one of the message's deliveries per listing: under RabbitMQ 4's default limit of 20, a dead letter
     * listed 20 times would be dropped. One listing at a time per relay; a listing running at the same time on another
     * relay may show a dead letter twice, never lose one (each is listed once, by its identity).
     */
    public synchronized Listing list(String target) {
        String queue = queueName(target);
        Set<String> seen = new HashSet<>();
        List<DeadLetter> events = new ArrayList<>();
        queues.rotate(queue, (message, channel) -> {
            if (events.size() < listLimit && seen.add(identity(message))) {
                events.add(describe(message));
            }
            return true;
        });
        return new Listing(target, count(target), events);
    }

    /**
     * Sends the target's dead letters back to its queue, all of them or only the one with {@code key}; the others
     * stay, in their order, their deliveries unspent (see {@link #list}).
     *
     * @return how many were replayed
     */
    public synchronized int replay(String target, String key) {
        String queue = queueName(target);
        String targetQueue = targetQueuePrefix + target;
        if (!queues.exists(targetQueue)) {
            throw new IllegalStateException("the queue of target " + target + " does not exist: is the target on?");
        }
        int[] replayed = {0};
        // only the messages there now: an event that fails again while this runs is not replayed twice
        queues.rotate(queue, (message, channel) -> {
            if (key == null || key.equals(keyOf(message.getBody()))) {
                // as if new, but for the one recipient it failed for, if it was one
                queues.send(channel, targetQueue, message.getBody(), recipientOf(message));
                replayed[0]++;
                return false;
            }
            return true;
        });
        return replayed[0];
    }

    /** What tells two dead letters apart: the message id given when it was parked, else its key and time. */
    private static String identity(GetResponse message) {
        if (message.getProps().getMessageId() != null) {
            return message.getProps().getMessageId();
        }
        Map<String, Object> headers = message.getProps().getHeaders() == null ? Map.of() : message.getProps().getHeaders();
        return keyOf(message.getBody()) + "@" + headers.get(DEAD_AT) + "#" + Arrays.hashCode(message.getBody());
    }

    private static Map<String, Object> recipientOf(GetResponse message) {
        Object recipient = headersOf(message).get(RECIPIENT);
        return recipient == null ? Map.of() : Map.of(RECIPIENT, recipient.toString());
    }

    private static Map<String, Object> headersOf(GetResponse message) {
        return message.getProps().getHeaders() == null ? Map.of() : message.getProps().getHeaders();
    }

    private static DeadLetter describe(GetResponse message) {
        Map<String, Object> headers = headersOf(message);
        Object recipient = headers.get(RECIPIENT);
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
