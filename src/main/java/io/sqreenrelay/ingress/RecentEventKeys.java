package io.sqreenrelay.ingress;

import io.sqreenrelay.event.AcceptedEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of the events most recently stored in the broker, to recognise Sqreen's resends. Bounded: past
 * {@code window} keys, the oldest is forgotten.
 *
 * <p>A key is remembered only once the broker confirmed the event: an event whose storage failed is not a
 * duplicate when Sqreen sends it again.
 */
public final class RecentEventKeys {

    private final Map<String, Boolean> keys;

    public RecentEventKeys(int window) {
        this.keys = new LinkedHashMap<>(Math.min(window, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > window;
            }
        };
    }

    public synchronized boolean contains(String key) {
        return keys.containsKey(key);
    }

    /** Remembers the keys of events the broker has confirmed. */
    public synchronized void remember(List<AcceptedEvent> stored) {
        for (AcceptedEvent event : stored) {
            keys.put(event.key(), Boolean.TRUE);
        }
    }

    public synchronized int size() {
        return keys.size();
    }
}
