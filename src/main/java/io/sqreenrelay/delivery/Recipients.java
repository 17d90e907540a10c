package io.sqreenrelay.delivery;

import io.sqreenrelay.broker.DeliveryHeaders;
import io.sqreenrelay.event.AcceptedEvent;
import java.util.List;
import org.apache.camel.ExchangeProperty;

/**
 * The recipients of a target that sends each event to several of them (the SMS numbers of {@code SMS_TO}, the
 * addresses of {@code MAIL_TO}...), each of whom gets it or fails on their own (SPEC, "Recipients are independent").
 *
 * <p>A recipient whose delivery failed is parked alone, its name in the {@value #RECIPIENT} header: a retry, or a
 * replay from the dead letters, is then for that recipient only. Who got an event is remembered through
 * {@link DeliveredKeys} under the event's key scoped by the recipient, so a message that comes back (a retry, a batch
 * redelivered after a crash) never reaches a recipient twice.
 */
public final class Recipients {

    /**
     * Exchange property and broker header: the recipient a message is for (a retry or a replay of that recipient
     * alone; absent: every recipient), and, within the send steps, the recipient being sent to.
     */
    public static final String RECIPIENT = DeliveryHeaders.RECIPIENT;

    private final List<String> all;
    private final DeliveredKeys delivered;

    public Recipients(List<String> all, DeliveredKeys delivered) {
        this.all = List.copyOf(all);
        this.delivered = delivered;
    }

    /**
     * The recipients this event is still to be sent to: every configured recipient who has not got it, or, for a
     * message that is for one recipient ({@code only}), that one, unless they have got it since (or are no longer
     * configured).
     */
    public List<String> pending(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                                @ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event,
                                @ExchangeProperty(RECIPIENT) String only) {
        return all.stream()
                .filter(recipient -> only == null || only.equals(recipient))
                .filter(recipient -> delivered.isNew(target, event.key(), recipient))
                .toList();
    }

    /** Records that the recipient in {@value #RECIPIENT} got the event. */
    public void sent(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                     @ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event,
                     @ExchangeProperty(RECIPIENT) String recipient) {
        delivered.delivered(target, event.key(), recipient);
    }
}
