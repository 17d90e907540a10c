package io.sqreenrelay.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sqreenrelay.delivery.DeliveredKeys;
import io.sqreenrelay.it.RedisServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** The shared key store against a real Redis: the machine's (under a key prefix of its own), or one it stops. */
class RedisKeyStoreIT {

    private static final URI SHARED = URI.create("redis://127.0.0.1:6379/0");

    private static RedisKeyStore store(URI uri, String prefix, SimpleMeterRegistry meters) {
        return new RedisKeyStore(uri, Duration.ofHours(72), prefix, Duration.ofMillis(200), uri.getHost(), meters);
    }

    @Test
    void aKeyIsSetOnceAtomicallyWithItsTimeToLive() {
        String prefix = "relay-test-" + UUID.randomUUID() + ":";
        try (RedisKeyStore store = store(SHARED, prefix, new SimpleMeterRegistry());
             JedisPooled redis = new JedisPooled("127.0.0.1", 6379)) {
            assertThat(store.contains("a")).isFalse();
            assertThat(store.add("a")).isTrue();
            assertThat(store.add("a")).as("the second add finds it").isFalse();
            assertThat(store.contains("a")).isTrue();
            long ttl = redis.pttl(prefix + "a");
            assertThat(ttl).isBetween(Duration.ofHours(71).toMillis(), Duration.ofHours(72).toMillis());
            store.addAll(List.of("b", "c"));
            assertThat(store.known(List.of("a", "b", "c", "d"))).containsExactlyInAnyOrder("a", "b", "c");
            store.remove("a");
            assertThat(store.contains("a")).isFalse();
            redis.del(prefix + "b", prefix + "c");
        }
    }

    @Test
    void aHoldOnlyGrows() {
        String prefix = "relay-test-" + UUID.randomUUID() + ":";
        try (RedisKeyStore store = store(SHARED, prefix, new SimpleMeterRegistry());
             JedisPooled redis = new JedisPooled("127.0.0.1", 6379)) {
            assertThat(store.heldUntil("slack")).isZero();
            store.hold("slack", 2_000_000_000_000L);
            store.hold("slack", 1_000_000_000_000L);
            assertThat(store.heldUntil("slack")).isEqualTo(2_000_000_000_000L);
            redis.del(prefix + "holds");
        }
    }

    @Test
    void whenRedisIsAwayEveryKeyIsNewTheErrorsAreCountedAndItComesBackByItself() throws Exception {
        Path work = Files.createTempDirectory("redis-key-store");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (RedisServer redis = RedisServer.start(work.resolve("redis.log"));
             RedisKeyStore store = store(URI.create(redis.uri()), "t:", meters)) {
            DeliveredKeys delivered = new DeliveredKeys(10, null, store);
            assertThat(delivered.add(DeliveredKeys.id("http", "k1"))).isTrue();
            assertThat(delivered.contains(DeliveredKeys.id("http", "k1"))).isTrue();
            assertThat(store.reachable()).isTrue();

            redis.stop();
            assertThat(delivered.contains(DeliveredKeys.id("http", "k1"))).as("unknown: sent again, never skipped").isFalse();
            assertThat(store.add("k2")).isTrue();
            assertThat(store.known(List.of("k1", "k2"))).isEmpty();
            assertThat(store.reachable()).isFalse();
            assertThat(store.lastError()).isNotBlank();
            // the first failed; the next two were not tried (one probe per second during an outage): all counted
            assertThat(store.errors()).isEqualTo(3);
            assertThat(meters.get("sqreen.relay.dedup.store.errors").counter().count()).isEqualTo(3);
            assertThat(meters.get("sqreen.relay.dedup.store.up").gauge().value()).isZero();

            redis.startAgain();       // empty: nothing was persisted
            assertThat(store.ping()).as("the health check's PING finds it").isTrue();
            assertThat(store.add("k3")).isTrue();
            assertThat(store.contains("k3")).isTrue();
            assertThat(store.reachable()).isTrue();
            assertThat(store.errors()).as("no error once it answers").isEqualTo(3);
            assertThat(meters.get("sqreen.relay.dedup.store.up").gauge().value()).isEqualTo(1);
        }
    }
}
