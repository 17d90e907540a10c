package io.sqreenrelay.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sqreenrelay.ingress.EventIntake;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every answered {@code POST /v1/webhook}, in one place: a line in the application log (outcome, events, time; never
 * the body, a header or a secret) and the request metrics. The webhook route calls {@link #completed} once its
 * answer is written; the HTTP layer calls {@link #answered} for what it refuses before any route runs.
 */
public final class WebhookRequests {

    private static final Logger LOG = LoggerFactory.getLogger("relay.requests");

    /** What became of a request: the {@code outcome} label of {@code sqreen_relay_requests_total}. */
    public enum Outcome {
        ACCEPTED, BAD_SIGNATURE, TOO_LARGE, UNSUPPORTED_TYPE, MALFORMED, BROKER_UNAVAILABLE, STARTING, SHUTTING_DOWN,
        METHOD_NOT_ALLOWED, TOO_SLOW, ERROR;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The outcome of an answer given by the webhook route. */
        public static Outcome ofStatus(int status) {
            return switch (status) {
                case 200 -> ACCEPTED;
                case 401 -> BAD_SIGNATURE;
                case 405 -> METHOD_NOT_ALLOWED;
                case 413 -> TOO_LARGE;
                case 408 -> TOO_SLOW;
                case 415 -> UNSUPPORTED_TYPE;
                case 422 -> MALFORMED;
                case 503 -> BROKER_UNAVAILABLE;
                default -> ERROR;
            };
        }
    }

    private final Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);
    private final Map<Outcome, Timer> durations = new EnumMap<>(Outcome.class);
    private final Counter accepted;
    private final Counter duplicates;

    public WebhookRequests(MeterRegistry registry) {
        for (Outcome outcome : Outcome.values()) {
            requests.put(outcome, Counter.builder("sqreen.relay.requests")
                    .description("POST /v1/webhook requests answered, by outcome")
                    .tag("outcome", outcome.label())
                    .register(registry));
            durations.put(outcome, Timer.builder("sqreen.relay.request.duration")
                    .description("Time from receiving a webhook request to its answer, by outcome")
                    .tag("outcome", outcome.label())
                    .serviceLevelObjectives(millis(5), millis(10), millis(25), millis(50), millis(100), millis(250),
                            millis(500), millis(1000), millis(5000))
                    .register(registry));
        }
        accepted = Counter.builder("sqreen.relay.events.accepted")
                .description("Events stored durably and answered 200 (new events only)")
                .register(registry);
        duplicates = Counter.builder("sqreen.relay.events.duplicates")
                .description("Events answered 200 that had been received before (Sqreen's resends), not stored again")
                .register(registry);
    }

    /** Called by the webhook route once its answer is written (accepted, refused or failed). */
    public void completed(Exchange exchange) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        int answered = status != null ? status : exchange.isFailed() ? 500 : 200;
        int fresh = count(exchange.getProperty(EventIntake.ACCEPTED));
        int resent = count(exchange.getProperty(EventIntake.DUPLICATES));
        long nanos = TimeUnit.MILLISECONDS.toNanos(exchange.getClock().elapsed());
        answered(Outcome.ofStatus(answered), answered, fresh, resent, nanos,
                exchange.getProperty("relayClient", String.class));
    }

    /**
     * Records one answer.
     *
     * @param events     the new events of the request (stored when the outcome is accepted)
     * @param resent     the events of the request received before
     * @param client     the peer's address, or null
     */
    public void answered(Outcome outcome, int status, int events, int resent, long nanos, String client) {
        requests.get(outcome).increment();
        durations.get(outcome).record(nanos, TimeUnit.NANOSECONDS);
        if (outcome == Outcome.ACCEPTED) {
            accepted.increment(events);
            duplicates.increment(resent);
        }
        LOG.info("POST /v1/webhook {} {} events={} new={} duplicates={} time={}ms client={}",
                status, outcome.label(), events + resent, outcome == Outcome.ACCEPTED ? events : 0,
                outcome == Outcome.ACCEPTED ? resent : 0, TimeUnit.NANOSECONDS.toMillis(nanos),
                client == null ? "-" : client);
    }

    private static int count(Object value) {
        return value instanceof Number number ? number.intValue() : 0;
    }

    private static Duration millis(long millis) {
        return Duration.ofMillis(millis);
    }
}
