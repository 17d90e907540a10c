package io.sqreenrelay.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeysInFlightTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void aKeyStoredByTheRequestHoldingItIsADuplicateForTheOneThatWaited() throws Exception {
        KeysInFlight inFlight = new KeysInFlight(10_000);
        KeysInFlight.Claim first = inFlight.claim(List.of("a", "b"));
        Future<KeysInFlight.Claim> second = claimWhileHeld(inFlight, List.of("b", "c"));
        first.release(true);
        KeysInFlight.Claim claim = second.get(10, TimeUnit.SECONDS);
        assertThat(claim.storedByOthers()).containsExactly("b");
        claim.release(true);
        assertThat(inFlight.size()).isZero();
    }

    @Test
    void aKeyTheHolderDidNotStoreIsStoredByTheOneThatWaited() throws Exception {
        KeysInFlight inFlight = new KeysInFlight(10_000);
        KeysInFlight.Claim first = inFlight.claim(List.of("a"));
        Future<KeysInFlight.Claim> second = claimWhileHeld(inFlight, List.of("a"));
        first.release(false);
        KeysInFlight.Claim claim = second.get(10, TimeUnit.SECONDS);
        assertThat(claim.storedByOthers()).isEmpty();
        assertThat(inFlight.size()).isEqualTo(1);   // now held by the second request
        // and a third waits for the second
        Future<KeysInFlight.Claim> third = claimWhileHeld(inFlight, List.of("a"));
        claim.release(true);
        assertThat(third.get(10, TimeUnit.SECONDS).storedByOthers()).containsExactly("a");
    }

    @Test
    void aHolderThatTakesTooLongMakesTheWaiterGiveUpAndLetGoOfWhatItHeld() throws Exception {
        KeysInFlight inFlight = new KeysInFlight(200);
        KeysInFlight.Claim first = inFlight.claim(List.of("m"));
        // the waiter holds "a" (sorted before "m") when it gives up on "m": "a" must be free again
        assertThatThrownBy(() -> inFlight.claim(List.of("m", "a"))).isInstanceOf(TimeoutException.class);
        assertThat(inFlight.size()).isEqualTo(1);
        KeysInFlight.Claim again = inFlight.claim(List.of("a"));
        assertThat(again.storedByOthers()).isEmpty();
        again.release(true);
        first.release(true);
        assertThat(inFlight.size()).isZero();
    }

    @Test
    void requestsSharingKeysInOppositeOrdersNeverWaitForEachOtherInACircle() throws Exception {
        KeysInFlight inFlight = new KeysInFlight(30_000);
        int rounds = 200;
        for (int round = 0; round < rounds; round++) {
            CountDownLatch go = new CountDownLatch(1);
            List<String> forward = List.of("k1-" + round, "k2-" + round, "k3-" + round);
            List<String> backward = List.of("k3-" + round, "k2-" + round, "k1-" + round);
            Set<String> stored = ConcurrentHashMap.newKeySet();
            CompletableFuture<Integer> a = CompletableFuture.supplyAsync(
                    () -> claimAndStore(inFlight, forward, stored, go), threads);
            CompletableFuture<Integer> b = CompletableFuture.supplyAsync(
                    () -> claimAndStore(inFlight, backward, stored, go), threads);
            go.countDown();
            // each key stored exactly once: one request stores it, the other counts it a duplicate
            assertThat(a.get(30, TimeUnit.SECONDS) + b.get(30, TimeUnit.SECONDS)).isEqualTo(3);
        }
        assertThat(inFlight.size()).isZero();
    }

    /**
     * What EventIntake does: claim, skip what was stored before (RecentEventKeys, here {@code stored}) or by the
     * request waited for, store the rest, release.
     *
     * @return how many of {@code keys} this request stored itself
     */
    private static int claimAndStore(KeysInFlight inFlight, List<String> keys, Set<String> stored, CountDownLatch go) {
        try {
            go.await();
            KeysInFlight.Claim claim = inFlight.claim(keys);
            int mine = 0;
            for (String key : keys) {
                if (!claim.storedByOthers().contains(key) && stored.add(key)) {
                    mine++;
                }
            }
            claim.release(true);
            return mine;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Claims {@code keys} in another thread and returns once that thread waits for the holder's outcome. (A fixed
     * 100 ms sleep stood here: a waiter not yet scheduled by then, as on a loaded machine, claimed after the release,
     * found the keys free and failed the assertions on {@code storedByOthers}.) The waiter parks with a time-out
     * ({@code CompletableFuture.get(timeout)}) only after it has registered on the holder's future.
     */
    private Future<KeysInFlight.Claim> claimWhileHeld(KeysInFlight inFlight, List<String> keys) throws Exception {
        CompletableFuture<Thread> waiter = new CompletableFuture<>();
        Future<KeysInFlight.Claim> claim = threads.submit(() -> {
            waiter.complete(Thread.currentThread());
            return inFlight.claim(keys);
        });
        Thread thread = waiter.get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> thread.getState() == Thread.State.TIMED_WAITING || claim.isDone());
        assertThat(claim.isDone()).as("still waiting for the holder").isFalse();
        return claim;
    }
}
