package io.sqreenrelay.delivery;

import io.sqreenrelay.dedup.RedisKeyStore;
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
 *
 * <p>With a shared store (Redis, {@code REDIS_URI}), a hold is seen by every relay of the cluster; when Redis does not
 * answer, each relay keeps to the holds it set itself.
 */
public final class TargetHolds {

    private final Map<String, Long> heldUntil = new ConcurrentHashMap<>();
    private final RedisKeyStore shared;
    private final TargetSuspensions suspensions;

    /** Holds known to this relay only. */
    public TargetHolds() {
        this(null, null);
    }

    /**
     * Holds shared through {@code shared} when it is not null; a target suspended in {@code suspensions} (when not
     * null) is held without end.
     */
    public TargetHolds(RedisKeyStore shared, TargetSuspensions suspensions) {
        this.shared = shared;
        this.suspensions = suspensions;
    }

    /** Holds the target until {@code until} (epoch ms), unless it is already held longer. */
    public void hold(String target, long until) {
        heldUntil.merge(target, until, Math::max);
        if (shared != null) {
            shared.hold(target, until);
        }
    }

    /**
     * Throws {@link TargetOnHold} while the target is held (by this relay, or by another through the shared store),
     * {@link TargetSuspensions.TargetSuspended} while it is suspended.
     */
    public void check(@ExchangeProperty(DeliveryProperties.TARGET) String target) {
        if (suspensions != null && suspensions.suspension(target) != null) {
            throw new TargetSuspensions.TargetSuspended();
        }
        if (shared != null && !heldUntil.containsKey(target)) {
            long sharedUntil = shared.heldUntil(target);
            if (sharedUntil > System.currentTimeMillis()) {
                heldUntil.merge(target, sharedUntil, Math::max);
            }
        }
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
    public static class TargetOnHold extends RuntimeException {

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
