package io.sqreenrelay.broker;

/**
 * The headers a parked event carries in the broker, in a wait queue or a dead-letter queue: its delivery state
 * lives with it, so a restart of the relay neither loses nor forgets a pending retry.
 */
public final class DeliveryHeaders {

    /** The target the event is on its way to. */
    public static final String TARGET = "relayTarget";
    /** Failed attempts so far. */
    public static final String FAILURES = "relayFailures";
    /** When the first attempt failed (epoch ms): the retries stop at that time plus the maximum age. */
    public static final String FIRST_FAILURE_AT = "relayFirstFailureAt";
    /** Why the last attempt failed, in a few words (never a URL or an exception's message). */
    public static final String LAST_ERROR = "relayLastError";
    /** When the next attempt is due (epoch ms). */
    public static final String DUE_AT = "relayDueAt";
    /** When the event leaves the wait queue it is in (epoch ms). */
    public static final String RELEASE_AT = "relayReleaseAt";
    /** The one recipient a message is for (a retry or replay of that recipient alone); absent: every recipient. */
    public static final String RECIPIENT = "relayRecipient";
    /** When the event was dead-lettered (epoch ms). */
    public static final String DEAD_AT = "relayDeadAt";

    private DeliveryHeaders() {
    }

    /** A header's value as a number: AMQP may hand it back as Integer, Long or text. 0 when absent. */
    public static long number(Object value) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        if (value != null) {
            try {
                return Long.parseLong(value.toString().trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }
}
