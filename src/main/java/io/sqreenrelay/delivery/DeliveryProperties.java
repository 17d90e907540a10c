package io.sqreenrelay.delivery;

/** The exchange properties the delivery template sets for each event it sends (see routes/delivery-template.yaml). */
public final class DeliveryProperties {

    /** The target's name. */
    public static final String TARGET = "relayTarget";
    /** The event being delivered ({@link io.sqreenrelay.event.AcceptedEvent}), whatever the send steps do to the body. */
    public static final String EVENT = "relayEvent";
    /** The failed attempts the message carried when it arrived (0 for a first attempt). */
    public static final String FAILURES = "relayFailures";
    /** When its first attempt failed (epoch ms), if one did. */
    public static final String FIRST_FAILURE_AT = "relayFirstFailureAt";

    private DeliveryProperties() {
    }
}
