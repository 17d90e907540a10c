package io.sqreenrelay.delivery;

import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.KeyWindow;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.ExchangeProperty;

/**
 * Per target, the keys of the events recently delivered to it, so that an event is not delivered twice when its
 * message comes back (a batch redelivered after a failure half-way, a crash before the acknowledgement). Bounded:
 * each target remembers its last {@code window} keys.
 */
public final class DeliveredKeys {

    private final int window;
    private final Map<String, KeyWindow> byTarget = new ConcurrentHashMap<>();

    public DeliveredKeys(int window) {
        this.window = window;
    }

    /** True unless the event was already delivered to the target. */
    public boolean isNew(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                         @ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event) {
        return !keys(target).contains(event.key());
    }

    /** Remembers that the event reached the target. */
    public void delivered(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                          @ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event) {
        keys(target).add(event.key());
    }

    /** Same, for a part of a delivery (one recipient of several): {@code part} names it. */
    public boolean isNew(String target, String key, String part) {
        return !keys(target).contains(key + "\n" + part);
    }

    public void delivered(String target, String key, String part) {
        keys(target).add(key + "\n" + part);
    }

    private KeyWindow keys(String target) {
        return byTarget.computeIfAbsent(target, t -> new KeyWindow(window));
    }
}
