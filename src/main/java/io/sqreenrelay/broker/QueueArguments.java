package io.sqreenrelay.broker;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The arguments every queue of the relay is declared with (RabbitMQ's; the embedded broker ignores them):
 * <ul>
 *   <li>{@code x-queue-type: quorum}: replicated, durable;</li>
 *   <li>{@code x-delivery-limit}: {@value #DELIVERY_LIMIT}, explicit. RabbitMQ 4.0+ gives quorum queues a default of
 *       20 returns per message, after which a message is dropped when its queue has no dead-letter exchange; on 3.x,
 *       -1 is not "unlimited" but drops at the first return (rabbitmq.com/docs/quorum-queues, "Poison Message
 *       Handling"). A policy with a lower {@code delivery-limit} wins over this argument, so the relay never relies on
 *       returning a message many times either;</li>
 *   <li>{@code x-single-active-consumer: true} on the queues of rate-limited targets (Slack, SMS): of all the relays
 *       consuming it, one at a time gets messages, so a throttle or a hold holds for the cluster
 *       (rabbitmq.com/docs/consumers#single-active-consumer).</li>
 * </ul>
 * Queue arguments cannot change on an existing queue (the declare fails with 406 PRECONDITION_FAILED): see
 * docs/operations.md, "Several relays", for the migration.
 */
public final class QueueArguments {

    /** Returns of one message before RabbitMQ would drop it: large, so that in practice it never does. */
    public static final int DELIVERY_LIMIT = 1_000_000;

    private QueueArguments() {
    }

    /** The arguments of the relay's own queues (wait queues, dead letters), as AMQP queue.declare arguments. */
    public static Map<String, Object> quorum() {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("x-queue-type", "quorum");
        arguments.put("x-delivery-limit", DELIVERY_LIMIT);
        return arguments;
    }

    /**
     * The arguments of a target's queue in camel-spring-rabbitmq's endpoint form ({@code queue.}-prefixed, a mutable
     * map: the endpoint wants one), durable, quorum, with a single active consumer or not.
     */
    public static Map<String, Object> targetEndpointArgs(boolean singleActiveConsumer) {
        Map<String, Object> arguments = new HashMap<>();
        arguments.put("queue.durable", "true");
        quorum().forEach((name, value) -> arguments.put("queue." + name, value));
        if (singleActiveConsumer) {
            arguments.put("queue.x-single-active-consumer", Boolean.TRUE);
        }
        return arguments;
    }
}
