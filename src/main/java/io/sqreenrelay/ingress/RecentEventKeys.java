package io.sqreenrelay.ingress;

import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.KeyWindow;
import java.util.List;

/**
 * The keys of the events most recently stored in the broker, to recognise Sqreen's resends. Bounded: past
 * {@code window} keys, the oldest is forgotten.
 *
 * <p>A key is remembered only once the broker confirmed the event: an event whose storage failed is not a
 * duplicate when Sqreen sends it again.
 */
public final class RecentEventKeys {

    private final KeyWindow keys;

    public RecentEventKeys(int window) {
        this.keys = new KeyWindow(window);
    }

    public boolean contains(String key) {
        return keys.contains(key);
    }

    /** Remembers the keys of events the broker has confirmed. */
    public void remember(List<AcceptedEvent> stored) {
        for (AcceptedEvent event : stored) {
            keys.add(event.key());
        }
    }

    public int size() {
        return keys.size();
    }
}
