package io.sqreenrelay.ingress;

import io.sqreenrelay.dedup.RedisKeyStore;
import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.KeyWindow;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The keys of the events most recently stored in the broker, to recognise Sqreen's resends. Either a journal under
 * the data directory (one relay; bounded: past {@code window} keys, the oldest is forgotten; a resend after a restart
 * is still recognised), or Redis shared by every relay (a cluster, {@code REDIS_URI}; each key for {@code DEDUP_TTL}),
 * so that a resend reaching another relay is a duplicate too.
 *
 * <p>A key is remembered only once the broker confirmed the event: an event whose storage failed is not a
 * duplicate when Sqreen sends it again. When Redis does not answer, no key is known (the events are accepted again:
 * a duplicate is possible, a loss never).
 */
public final class RecentEventKeys implements AutoCloseable {

    private static final String SHARED_PREFIX = "r:";

    private final KeyWindow keys;
    private final RedisKeyStore shared;

    /** Kept in {@code stateDir}/received.keys. */
    public RecentEventKeys(int window, Path stateDir) {
        this.keys = KeyWindow.persistent(window, stateDir.resolve("received.keys"));
        this.shared = null;
    }

    /** Kept in Redis. */
    public RecentEventKeys(RedisKeyStore shared) {
        this.keys = null;
        this.shared = shared;
    }

    public boolean contains(String key) {
        return !known(List.of(key)).isEmpty();
    }

    /** Which of {@code candidates} were stored before (one Redis round trip for all). */
    public Set<String> known(Collection<String> candidates) {
        if (shared != null) {
            return shared.known(candidates.stream().map(key -> SHARED_PREFIX + key).toList()).stream()
                    .map(key -> key.substring(SHARED_PREFIX.length()))
                    .collect(Collectors.toSet());
        }
        return candidates.stream().filter(keys::contains).collect(Collectors.toSet());
    }

    /** Remembers the keys of events the broker has confirmed. */
    public void remember(List<AcceptedEvent> stored) {
        List<String> storedKeys = stored.stream().map(AcceptedEvent::key).toList();
        if (shared != null) {
            shared.addAll(storedKeys.stream().map(key -> SHARED_PREFIX + key).toList());
        } else {
            keys.addAll(storedKeys);
        }
    }

    @Override
    public void close() {
        if (keys != null) {
            keys.close();
        }
    }

    /** How many keys the journal holds (0 with Redis, which holds them for every relay). */
    public int size() {
        return keys == null ? 0 : keys.size();
    }
}
