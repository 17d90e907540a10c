package io.sqreenrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sqreenrelay.broker.ListenerContainers;
import io.sqreenrelay.dedup.RedisKeyStore;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * Where a suspension lives (issue 16): with Redis (the machine's, under a key prefix of its own), every relay sees it
 * after its next sync, one relay's resume ends it for all, and a relay started afresh finds it; without Redis, a
 * relay started afresh on the same state directory finds it in its file.
 */
class TargetSuspensionsIT {

    private static final URI REDIS = URI.create("redis://127.0.0.1:6379/0");

    private static TargetSuspensions suspensions(RedisKeyStore shared, Path state, SimpleMeterRegistry meters) {
        // no admin channel among the targets: nothing is put in a queue (no broker here)
        return new TargetSuspensions(shared, state, new ListenerContainers(), "relay.target.", null,
                () -> List.of("slack", "http"), meters);
    }

    @Test
    void aSuspensionInRedisIsSeenByEveryRelayAndEndsForAllOnOneResume() throws Exception {
        String prefix = "relay-test-" + UUID.randomUUID() + ":";
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Path state = Files.createTempDirectory("suspensions");
        try (RedisKeyStore storeA = new RedisKeyStore(REDIS, Duration.ofHours(1), prefix, Duration.ofMillis(500), "redis", meters);
             RedisKeyStore storeB = new RedisKeyStore(REDIS, Duration.ofHours(1), prefix, Duration.ofMillis(500), "redis", meters);
             JedisPooled redis = new JedisPooled("127.0.0.1", 6379)) {
            TargetSuspensions a = suspensions(storeA, state, meters);
            TargetSuspensions b = suspensions(storeB, state, meters);
            a.suspend("slack", "HTTP 410 channel_is_archived");
            assertThat(b.suspension("slack")).as("not before its next sync").isNull();
            b.sync();
            assertThat(b.suspension("slack").reason()).isEqualTo("HTTP 410 channel_is_archived");
            TargetHolds holdsB = new TargetHolds(storeB, b);
            assertThatThrownBy(() -> holdsB.check("slack")).isInstanceOf(TargetSuspensions.TargetSuspended.class);
            holdsB.check("http");

            // a relay started afresh finds it
            assertThat(suspensions(storeB, state, meters).suspension("slack")).isNotNull();

            assertThat(b.resume("slack")).isTrue();
            a.sync();
            assertThat(a.suspension("slack")).as("resumed on the other relay").isNull();
            assertThat(redis.hgetAll(prefix + "suspended")).isEmpty();
            assertThat(Files.exists(state.resolve("suspended-targets.properties"))).as("Redis holds it, no file").isFalse();
        }
    }

    @Test
    void withoutRedisTheStateDirectoryKeepsItAcrossARestart() throws Exception {
        Path state = Files.createTempDirectory("suspensions");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        TargetSuspensions first = suspensions(null, state, meters);
        first.suspend("slack", "HTTP 410");
        first.sync();
        assertThat(meters.get("sqreen.relay.target.suspended").tag("target", "slack").gauge().value()).isEqualTo(1.0);
        assertThat(meters.get("sqreen.relay.target.suspended").tag("target", "http").gauge().value()).isZero();
        TargetSuspensions restarted = suspensions(null, state, new SimpleMeterRegistry());
        assertThat(restarted.suspension("slack").reason()).isEqualTo("HTTP 410");
        assertThat(restarted.resume("slack")).isTrue();
        assertThat(suspensions(null, state, new SimpleMeterRegistry()).suspension("slack")).isNull();
        assertThat(restarted.resume("slack")).as("not suspended any more").isFalse();
    }
}
