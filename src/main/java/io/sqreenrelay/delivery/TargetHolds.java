package io.sqreenrelay.delivery;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.ExchangeProperty;

/**
 * Targets that asked the relay to wait ({@code Retry-After} on a 429 or a 5xx): until then, none of their events is
 * sent. Without it, a rate-limited target would get one request per waiting event, each one answered 429 again;
 * with it, it gets the first event at the end of the wait, and the others once that one went through.
 *
 * <p>The delivery template calls {@link #check} before each send; a held event fails with {@link TargetOnHold},
 * which {@link DeliveryOutcomes} turns into a retry at the end of the hold (no request is made).
 */
public final class TargetHolds {

    private final Map<String, Long> heldUntil = new ConcurrentHashMap<>();

    /** Holds the target until {@code until} (epoch ms), unless it is already held longer. */
    public void hold(String target, long until) {
        heldUntil.merge(target, until, Math::max);
    }

    /** Throws {@link TargetOnHold} while the target is held. */
    public void check(@ExchangeProperty(DeliveryProperties.TARGET) String target) {
        Long until = heldUntil.get(target);
        if (until != null) {
            if (until > System.currentTimeMillis()) {
                throw new TargetOnHold(until);
            }
            heldUntil.remove(target, until);
        }
    }

    /** Until when the target is held (epoch ms), or 0. */
    public long heldUntil(String target) {
        Long until = heldUntil.get(target);
        return until == null || until <= System.currentTimeMillis() ? 0 : until;
    }

    /** The event was not sent: its target asked to wait until {@link #until}. */
    public static final class TargetOnHold extends RuntimeException {

        private final long until;

        TargetOnHold(long until) {
            super("the target asked to wait", null, false, false);
            this.until = until;
        }

        public long until() {
            return until;
        }
    }
}
