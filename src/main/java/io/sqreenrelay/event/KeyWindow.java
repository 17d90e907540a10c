package io.sqreenrelay.event;

import java.util.LinkedHashMap;
import java.util.Map;

/** The most recent event keys, at most {@code window} of them: past that, the oldest is forgotten. Thread-safe. */
public final class KeyWindow {

    private final Map<String, Boolean> keys;

    public KeyWindow(int window) {
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

    public synchronized void add(String key) {
        keys.put(key, Boolean.TRUE);
    }

    public synchronized int size() {
        return keys.size();
    }
}
