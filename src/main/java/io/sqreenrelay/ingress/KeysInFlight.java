package io.sqreenrelay.ingress;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The event keys that webhook requests on this relay are storing right now.
 *
 * <p>Sqreen resends a request it got no answer for in time; the resend can come while the first request still waits
 * for the broker, and a client may send one request twice at once. Both found the keys new, both stored them, and
 * every target got those events twice. Now the second request waits for the first one's outcome, key by key: stored,
 * and the event is a duplicate for the second (counted in {@code duplicates}); not stored (the broker refused, the
 * first got 503), and the second stores it itself. Keys are claimed in sorted order, so two requests sharing keys
 * never wait for each other in a circle.
 *
 * <p>On one relay only: two relays that receive the same event at the same moment may both store it (the SPEC's
 * cluster section; their targets' de-duplication keys catch a later delivery, not a concurrent one).
 */
public final class KeysInFlight {

    private final Map<String, CompletableFuture<Boolean>> storing = new ConcurrentHashMap<>();
    private final long waitMillis;

    /** @param waitMillis how long a request waits for another request's outcome before it is answered 503 */
    public KeysInFlight(long waitMillis) {
        this.waitMillis = waitMillis;
    }

    /**
     * Claims {@code keys} for the calling request, waiting for any other request that is storing one of them.
     *
     * @return the claim; {@link Claim#release} it once the request is answered, whatever the answer
     * @throws TimeoutException when another request holds a key longer than the wait (answered 503, retried later);
     *                          the keys claimed so far are released
     */
    public Claim claim(Collection<String> keys) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        Claim claim = new Claim();
        try {
            for (String key : new TreeSet<>(keys)) {
                claimOne(key, claim, deadline);
            }
            return claim;
        } catch (TimeoutException | InterruptedException | RuntimeException e) {
            claim.release(false);
            throw e;
        }
    }

    private void claimOne(String key, Claim claim, long deadline) throws TimeoutException, InterruptedException {
        while (true) {
            CompletableFuture<Boolean> mine = new CompletableFuture<>();
            CompletableFuture<Boolean> other = storing.putIfAbsent(key, mine);
            if (other == null) {
                claim.owned.add(Map.entry(key, mine));
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("another request is still storing these events");
            }
            try {
                if (other.get(left, TimeUnit.NANOSECONDS)) {
                    claim.storedByOthers.add(key);
                    return;
                }
                // not stored by the other request: claim it again (its entry is gone)
            } catch (ExecutionException e) {
                // completed exceptionally never happens (release completes with a value); claim again
            }
        }
    }

    /** How many keys are being stored right now (0 when no request is in flight). */
    public int size() {
        return storing.size();
    }

    /** The keys one request holds, and those another request stored while it waited. */
    public final class Claim {

        private final List<Map.Entry<String, CompletableFuture<Boolean>>> owned = new ArrayList<>();
        private final Set<String> storedByOthers = new HashSet<>();

        /** Keys another request stored while this one waited: duplicates for this request. */
        public Set<String> storedByOthers() {
            return storedByOthers;
        }

        /**
         * Ends the claim: {@code stored} tells the requests waiting for these keys whether the events are in the
         * broker now (they count them as duplicates) or not (they store them). Calling it again does nothing.
         */
        public void release(boolean stored) {
            for (Map.Entry<String, CompletableFuture<Boolean>> entry : owned) {
                storing.remove(entry.getKey(), entry.getValue());
                entry.getValue().complete(stored);
            }
            owned.clear();
        }
    }
}
