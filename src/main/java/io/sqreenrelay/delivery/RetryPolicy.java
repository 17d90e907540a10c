package io.sqreenrelay.delivery;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When a failed delivery is tried again: exponential backoff (the first delay, doubling, capped) with jitter, for
 * as long as the first failure is younger than the maximum age.
 *
 * @param firstDelay the wait before the first retry
 * @param maxDelay   the longest wait between two attempts
 * @param maxAge     how long after the first failure the relay keeps trying before it dead-letters the event
 * @param retryAfterMax the longest wait a target's {@code Retry-After} may impose in one step (RETRY_AFTER_MAX): a
 *                   longer one is cut to this
 */
public record RetryPolicy(Duration firstDelay, Duration maxDelay, Duration maxAge, Duration retryAfterMax) {

    /** The default cap of a {@code Retry-After} (RETRY_AFTER_MAX). */
    public static final Duration RETRY_AFTER_MAX = Duration.ofMinutes(15);

    /** Each wait is the backoff delay times a factor drawn from [1 - JITTER, 1 + JITTER]. */
    static final double JITTER = 0.2;

    public RetryPolicy {
        if (firstDelay.isNegative() || firstDelay.isZero() || maxDelay.compareTo(firstDelay) < 0 || maxAge.isNegative()) {
            throw new IllegalArgumentException("retry delays must be positive, and the maximum at least the first");
        }
        if (retryAfterMax.isNegative() || retryAfterMax.isZero()) {
            throw new IllegalArgumentException("the Retry-After cap must be positive");
        }
    }

    /** The policy with the default {@link #RETRY_AFTER_MAX}. */
    public RetryPolicy(Duration firstDelay, Duration maxDelay, Duration maxAge) {
        this(firstDelay, maxDelay, maxAge, RETRY_AFTER_MAX);
    }

    /**
     * The wait before the next attempt, after {@code failures} failed attempts (1 after the first failure).
     * {@code random} gives numbers in [0, 1).
     */
    public long backoffMillis(int failures, DoubleSupplier random) {
        int doublings = Math.min(Math.max(failures - 1, 0), 40);
        double base = Math.min((double) firstDelay.toMillis() * Math.pow(2, doublings), maxDelay.toMillis());
        double factor = 1 - JITTER + 2 * JITTER * random.getAsDouble();
        return Math.max(1, Math.min(Math.round(base * factor), maxDelay.toMillis()));
    }
}
