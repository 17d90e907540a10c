package io.sqreenrelay.event;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most recent event keys, at most {@code window} of them: past that, the oldest is forgotten. Thread-safe.
 *
 * <p>{@link #persistent} keeps them in a {@link KeyJournal} as well, so that a restart, even after a crash, still
 * knows them. Should the journal fail to write (a full disk), the window goes on in memory and says so once: the
 * keys only spare duplicates, they are never what keeps an event.
 */
public final class KeyWindow implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KeyWindow.class);

    private final Map<String, Boolean> keys;
    private KeyJournal journal;

    public KeyWindow(int window) {
        this.keys = new LinkedHashMap<>(Math.min(window, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > window;
            }
        };
    }

    /** A window kept in {@code file} too, starting with the keys the file already holds. */
    public static KeyWindow persistent(int window, Path file) {
        KeyWindow keys = new KeyWindow(window);
        List<String> recovered = new ArrayList<>();
        try {
            keys.journal = KeyJournal.open(file, window, recovered);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the de-duplication journal " + file, e);
        }
        recovered.forEach(key -> keys.keys.put(key, Boolean.TRUE));
        return keys;
    }

    public synchronized boolean contains(String key) {
        return keys.containsKey(key);
    }

    public void add(String key) {
        addAll(List.of(key));
    }

    /** Adds the keys; a persistent window has written them to its journal when this returns. */
    public synchronized void addAll(Collection<String> added) {
        List<String> fresh = new ArrayList<>(added.size());
        for (String key : added) {
            if (keys.put(key, Boolean.TRUE) == null) {
                fresh.add(key);
            }
        }
        if (journal != null) {
            try {
                journal.append(fresh, keys.keySet());
            } catch (IOException e) {
                LOG.warn("De-duplication journal no longer written ({}); keys are kept in memory only, so a restart"
                        + " may deliver some events twice", e.toString());
                closeJournal();
            }
        }
    }

    public synchronized int size() {
        return keys.size();
    }

    @Override
    public synchronized void close() {
        closeJournal();
    }

    private void closeJournal() {
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException ignored) {
                // nothing left to write
            }
            journal = null;
        }
    }
}
