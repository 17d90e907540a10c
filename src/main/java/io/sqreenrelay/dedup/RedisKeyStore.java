package io.sqreenrelay.dedup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * De-duplication keys shared by every relay of a cluster, in Redis (through Jedis, the client Camel 4.17 builds
 * with). A key is a Redis string with a time-to-live; a target hold is a member of one sorted set scored with its end.
 *
 * <p>Commands used (redis.io/commands): {@code SET key 1 NX PX ttl} (atomic set-if-absent with expiry: two relays
 * never both see a key as new and both write it), {@code EXISTS}, {@code DEL}, {@code ZADD GT} (a hold only grows:
 * Redis 6.2+) and {@code ZSCORE}; a suspended target is a field of one hash ({@code HSETNX}: of several relays
 * meeting the same 410, one suspends; {@code HGETALL}, {@code HDEL}). Batches go in one pipeline, one round trip.
 *
 * <p>Redis is a help, never a gate: every command is bounded by the timeout (connect, read, and the wait for a pooled
 * connection); a failure counts in {@code sqreen_relay_dedup_store_errors_total} and the caller goes on as if the key
 * were unknown (a duplicate is possible, a loss never). During an outage, commands are not even tried, except one
 * probe per {@value #PROBE_EVERY_MS} ms (and the health check's PING), so that a Redis that times out costs each
 * event nothing; they count as errors too. The first failure of an outage logs one warning, the first success after
 * it one line; connections are made again by the pool, so it reconnects by itself.
 */
public final class RedisKeyStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisKeyStore.class);
    private static final String HOLDS = "holds";
    private static final String SUSPENDED = "suspended";
    /** During an outage, how often a command is tried for real. */
    static final long PROBE_EVERY_MS = 1000;

    private final JedisPooled redis;
    private final String prefix;
    private final long ttlMillis;
    private final String description;
    private final Counter errors;
    private volatile boolean reachable = true;
    private volatile String lastError;
    private volatile Instant unreachableSince;
    private volatile long probeAfter;

    /**
     * @param uri         {@code redis://[user:password@]host:port/db} or {@code rediss://}
     * @param ttl         how long a key is remembered
     * @param prefix      prepended to every key written
     * @param timeout     connect, command and pool-wait bound
     * @param description the Redis as it may be logged (no credentials)
     */
    public RedisKeyStore(URI uri, Duration ttl, String prefix, Duration timeout, String description,
                         MeterRegistry meters) {
        int millis = (int) timeout.toMillis();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .database(JedisURIHelper.getDBIndex(uri))
                .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                .clientName("sqreen-relay");
        String password = JedisURIHelper.getPassword(uri);
        if (password != null) {
            config.user(JedisURIHelper.getUser(uri)).password(password);
        }
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(32);
        pool.setMaxIdle(32);
        pool.setMaxWait(timeout);
        pool.setJmxEnabled(false);
        this.redis = new JedisPooled(JedisURIHelper.getHostAndPort(uri), config.build(), pool);
        this.prefix = prefix;
        this.ttlMillis = ttl.toMillis();
        this.description = description;
        this.errors = Counter.builder("sqreen.relay.dedup.store.errors")
                .description("Redis commands of the shared de-duplication that failed, timed out or were skipped during an"
                        + " outage (the relay went on without them)")
                .register(meters);
        Gauge.builder("sqreen.relay.dedup.store.up", this, store -> store.reachable ? 1 : 0)
                .description("1 while the shared de-duplication store (Redis) answers, 0 during an outage")
                .register(meters);
    }

    /** Which of {@code keys} are known; none when Redis does not answer. */
    public Set<String> known(Collection<String> keys) {
        if (keys.isEmpty()) {
            return Set.of();
        }
        return call(redis -> {
            List<String> asked = new ArrayList<>(keys);
            List<Response<Boolean>> answers = new ArrayList<>(asked.size());
            try (Pipeline pipeline = redis.pipelined()) {
                asked.forEach(key -> answers.add(pipeline.exists(prefix + key)));
                pipeline.sync();
            }
            Set<String> known = new HashSet<>();
            for (int i = 0; i < asked.size(); i++) {
                if (Boolean.TRUE.equals(answers.get(i).get())) {
                    known.add(asked.get(i));
                }
            }
            return known;
        }, Set.of());
    }

    /** True when the key is known; false when it is not, or Redis does not answer. */
    public boolean contains(String key) {
        return call(redis -> redis.exists(prefix + key), false);
    }

    /** Remembers the key unless it is known already (atomic); true when it was new, or Redis does not answer. */
    public boolean add(String key) {
        return call(redis -> redis.set(prefix + key, "1", SetParams.setParams().nx().px(ttlMillis)) != null, true);
    }

    /** Remembers the keys (one round trip); Redis not answering leaves them unknown. */
    public void addAll(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        call(redis -> {
            try (Pipeline pipeline = redis.pipelined()) {
                keys.forEach(key -> pipeline.set(prefix + key, "1", SetParams.setParams().px(ttlMillis)));
                pipeline.sync();
            }
            return null;
        }, null);
    }

    /** Forgets the key. */
    public void remove(String key) {
        call(redis -> redis.del(prefix + key), 0L);
    }

    /** Holds {@code name} until {@code until} (epoch ms), unless it is held longer already. */
    public void hold(String name, long until) {
        call(redis -> redis.zadd(prefix + HOLDS, until, name, ZAddParams.zAddParams().gt()), 0L);
    }

    /** Until when {@code name} is held (epoch ms, maybe past), or 0; 0 when Redis does not answer. */
    public long heldUntil(String name) {
        Double until = call(redis -> redis.zscore(prefix + HOLDS, name), null);
        return until == null ? 0 : until.longValue();
    }

    /** Suspends {@code name} (no end), {@code state} saying why and since when; true when it was not suspended yet. */
    public boolean suspend(String name, String state) {
        return call(redis -> redis.hsetnx(prefix + SUSPENDED, name, state) == 1, true);
    }

    /** Every suspended name and its state; null when Redis does not answer. */
    public Map<String, String> suspended() {
        return call(redis -> redis.hgetAll(prefix + SUSPENDED), null);
    }

    /** Ends the suspension of {@code name}. */
    public void resume(String name) {
        call(redis -> redis.hdel(prefix + SUSPENDED, name), 0L);
    }

    /** Asks Redis whether it answers (a PING), updating the state {@link #reachable} reports. */
    public boolean ping() {
        probeAfter = 0;
        return call(redis -> "PONG".equalsIgnoreCase(redis.ping()), false);
    }

    /** False from a failed command to the next one that succeeds. */
    public boolean reachable() {
        return reachable;
    }

    /** The last failure's kind (never a URI or a password), or null. */
    public String lastError() {
        return lastError;
    }

    /** Since when Redis has not answered, or null while it does. */
    public Instant unreachableSince() {
        return unreachableSince;
    }

    public double errors() {
        return errors.count();
    }

    public String description() {
        return description;
    }

    @Override
    public void close() {
        redis.close();
    }

    private <T> T call(Function<JedisPooled, T> command, T fallback) {
        if (!reachable && System.currentTimeMillis() < probeAfter) {
            errors.increment();             // Redis did not answer a moment ago: not tried, the event goes on
            return fallback;
        }
        try {
            T result;
            try {
                result = command.apply(redis);
            } catch (JedisConnectionException e) {
                if (!reachable || timedOut(e)) {
                    throw e;
                }
                // a pooled connection from before a Redis restart: drop the idle ones and try once on a fresh one
                redis.getPool().clear();
                result = command.apply(redis);
            }
            if (!reachable) {
                reachable = true;
                LOG.info("Shared de-duplication: Redis {} answers again (unreachable since {})", description,
                        unreachableSince);
                unreachableSince = null;
            }
            return result;
        } catch (JedisException e) {
            errors.increment();
            probeAfter = System.currentTimeMillis() + PROBE_EVERY_MS;
            redis.getPool().clear();        // the idle connections died with it: the next probe makes a fresh one
            lastError = reason(e);
            if (reachable) {
                reachable = false;
                unreachableSince = Instant.now();
                LOG.warn("Shared de-duplication: Redis {} does not answer ({}); events are still accepted and delivered,"
                        + " duplicates are possible until it answers again", description, lastError);
            }
            return fallback;
        }
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The innermost cause's type: "ConnectException", "SocketTimeoutException". */
    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }
}
