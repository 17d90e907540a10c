package io.sqreenrelay.broker;

import org.apache.camel.Body;

/**
 * Where ingress stores the new events of an accepted request: one persistent message on the events exchange, which
 * fans it out to every target's durable queue, confirmed by the broker before the request is answered 200.
 *
 * <p>Not the spring-rabbitmq producer: it waits for the confirm through the channel cache's proxy, and when the
 * connection drops between the publish and the wait, that wait runs on a new channel with nothing to confirm and
 * succeeds. A request whose events were lost in the cut was answered 200 (BrokerLossIT caught it). See
 * {@link DurableQueues#publishToExchange}.
 */
public final class EventsExchange {

    private final DurableQueues queues;
    private final String exchange;

    public EventsExchange(DurableQueues queues, String exchange) {
        this.queues = queues;
        this.exchange = exchange;
    }

    /** Stores the events (a JSON array); throws when the broker did not confirm them. */
    public void store(@Body byte[] events) {
        queues.publishToExchange(exchange, events);
    }
}
