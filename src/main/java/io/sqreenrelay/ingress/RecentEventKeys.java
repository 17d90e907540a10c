package io.sqreenrelay.ingress;

import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.KeyWindow;
import java.nio.file.Path;
import java.util.List;

/**
 * The keys of the events most recently stored in the broker, to recognise Sqreen's resends. Bounded: past
 * {@code window} keys, the oldest is forgotten. Kept in a journal under the data directory, so a resend after a restart
 * is still recognised.
 *
 * <p>A key is remembered only once the broker confirmed the event: an event whose storage failed is not a
 * duplicate when Sqreen sends it again.
 */
public final class RecentEventKeys implements AutoCloseable {

    private final KeyWindow keys;

    /** Kept in {@code stateDir}/received.keys as well. */
    public RecentEventKeys(int window, Path stateDir) {
        this.keys = KeyWindow.persistent(window, stateDir.resolve("received.keys"));
    }

    public boolean contains(String key) {
        return keys.contains(key);
    }

    /** Remembers the keys of events the broker has confirmed. */
    public void remember(List<AcceptedEvent> stored) {
        keys.addAll(stored.stream().map(AcceptedEvent::key).toList());
    }

    @Override
    public void close() {
        keys.close();
    }

    public int size() {
        return keys.size();
    }
}
