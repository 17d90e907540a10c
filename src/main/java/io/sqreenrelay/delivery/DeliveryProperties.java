package io.sqreenrelay.delivery;

import io.sqreenrelay.broker.DeliveryHeaders;

/**
 * The exchange properties the delivery template sets for each event it sends (see routes/delivery-template.yaml).
 * The delivery state a message carries in the broker keeps its header's name as a property: those names are the
 * broker layer's ({@link DeliveryHeaders}), so the two never drift apart.
 */
public final class DeliveryProperties {

    /** The target's name. */
    public static final String TARGET = DeliveryHeaders.TARGET;
    /** The event being delivered ({@link io.sqreenrelay.event.AcceptedEvent}), whatever the send steps do to the body. */
    public static final String EVENT = "relayEvent";
    /** The failed attempts the message carried when it arrived (0 for a first attempt). */
    public static final String FAILURES = DeliveryHeaders.FAILURES;
    /** When its first attempt failed (epoch ms), if one did. */
    public static final String FIRST_FAILURE_AT = DeliveryHeaders.FIRST_FAILURE_AT;

    private DeliveryProperties() {
    }
}
