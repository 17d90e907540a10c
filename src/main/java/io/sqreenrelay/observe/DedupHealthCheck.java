package io.sqreenrelay.observe;

import io.sqreenrelay.dedup.RedisKeyStore;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Details only, never down: where the de-duplication keys live, and with Redis whether it answers (one PING per call,
 * bounded by the Redis timeout). Redis away is "degraded": the relay still accepts and delivers everything, only a
 * resend or a redelivery may then be sent twice, so readiness stays up.
 */
public final class DedupHealthCheck extends AbstractHealthCheck {

    private final RedisKeyStore shared;
    private final String description;

    /** @param shared the Redis store, or null for journals (one relay) */
    public DedupHealthCheck(RedisKeyStore shared, String description) {
        super("sqreen-relay", "dedup");
        this.shared = shared;
        this.description = description;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("store", description);
        if (shared == null) {
            builder.detail("status", "ok");
            builder.up();
            return;
        }
        boolean answers = shared.ping();
        builder.detail("errors", (long) shared.errors());
        if (answers) {
            builder.detail("status", "ok");
        } else {
            builder.detail("status", "degraded");
            builder.detail("lastError", shared.lastError());
            builder.detail("unreachableSince", String.valueOf(shared.unreachableSince()));
            builder.message("Redis does not answer: events are accepted and delivered, duplicates are possible");
        }
        builder.up();
    }
}
