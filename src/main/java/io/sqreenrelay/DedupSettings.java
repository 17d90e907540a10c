package io.sqreenrelay;

import java.net.URI;
import java.time.Duration;
import java.util.function.Function;

/**
 * Where the de-duplication keys live: journals under {@code DATA_DIR} (one relay), or a Redis shared by every relay
 * of a cluster when {@code REDIS_URI} is set.
 *
 * @param redisUri  {@code redis://[user:password@]host:port/db} or {@code rediss://} (TLS); null: journals
 * @param ttl       how long a shared key is remembered ({@code DEDUP_TTL}, default 72 h)
 * @param keyPrefix the prefix of every key the relay writes in Redis ({@code REDIS_KEY_PREFIX})
 * @param timeout   the longest a Redis command may take before the relay goes on without it
 */
public record DedupSettings(URI redisUri, Duration ttl, String keyPrefix, Duration timeout) {

    /** Reads and checks the settings; {@code property} returns a property's value, or null when unset. */
    public static DedupSettings read(Function<String, String> property) {
        return new DedupSettings(
                redisUri(property.apply("relay.redis.uri")),
                TargetSettings.duration(property.apply("relay.dedup.ttl"), "DEDUP_TTL", "72h"),
                property.apply("relay.redis.key-prefix") == null ? "sqreen-relay:" : property.apply("relay.redis.key-prefix"),
                TargetSettings.duration(property.apply("relay.redis.timeout"), "REDIS_TIMEOUT", "200ms"));
    }

    public boolean shared() {
        return redisUri != null;
    }

    /** The Redis as it may be shown: scheme, host, port and database, never the credentials. */
    public String description() {
        if (!shared()) {
            return "journals (one relay)";
        }
        String db = redisUri.getPath() == null || redisUri.getPath().length() <= 1 ? "0" : redisUri.getPath().substring(1);
        return redisUri.getScheme() + "://" + redisUri.getHost() + ":" + port(redisUri) + "/" + db;
    }

    static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : 6379;
    }

    /** Checks a {@code redis://} URI. Its text is never quoted back: it may hold a password. */
    static URI redisUri(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String expected = "REDIS_URI must look like redis://[user:password@]host:port/db (or rediss:// for TLS)";
        URI uri = RelaySettings.serverUri(value, expected, "redis", "rediss");
        String path = uri.getPath();
        if (path != null && path.length() > 1 && !path.substring(1).matches("\\d{1,5}")) {
            throw new InvalidSetting(expected + " (the database is not a number)");
        }
        return uri;
    }
}
