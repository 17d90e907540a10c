package io.sqreenrelay.delivery;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.core5.http.ProtocolException;

/**
 * The one place that decides what a failed delivery means: retry it later, or dead-letter it now.
 *
 * <ul>
 *   <li>HTTP 408, 429 and 5xx, time-outs, refused or lost connections, unknown hosts, SMTP 4xx answers anywhere
 *       (greeting, MAIL, RCPT, DATA, AUTH; RFC 5321 section 4.2): retried with the {@link RetryPolicy}'s backoff,
 *       or when the target said with {@code Retry-After}.</li>
 *   <li>HTTP 410 Gone: the target is suspended ({@link TargetSuspensions}), the event kept in its queue.</li>
 *   <li>Every other HTTP answer (most 4xx, and 3xx, which are not followed), SMTP 5xx answers, requests the HTTP
 *       client refuses to send, and failures that will not go away by waiting (an event the relay cannot render):
 *       dead-lettered at once.</li>
 *   <li>A retry that would fall after the first failure plus the maximum age: dead-lettered.</li>
 * </ul>
 *
 * The reason given is short and made here from the failure's kind and status, never from an exception's message,
 * which can hold a target's URL, and so a secret (a Slack webhook URL is one).
 */
public final class DeliveryOutcomes {

    /**
     * What to do with an event whose delivery failed.
     *
     * @param holdTargetUntil when the target itself asked to wait ({@code Retry-After}): until when none of its events
     *                        should be sent (epoch ms); 0 otherwise
     * @param askedWaitMillis when the target asked for a longer wait than RETRY_AFTER_MAX: the wait it asked for (ms),
     *                        cut to the cap in {@code dueAt} and {@code holdTargetUntil}; 0 otherwise
     * @param suspend         the target is gone (410) or suspended: the event goes back to its queue, the target is
     *                        suspended ({@link TargetSuspensions}); {@code retry} is true, {@code dueAt} now
     */
    public record Decision(boolean retry, long dueAt, String reason, long holdTargetUntil, long askedWaitMillis,
                           boolean suspend) {

        public Decision(boolean retry, long dueAt, String reason, long holdTargetUntil) {
            this(retry, dueAt, reason, holdTargetUntil, 0, false);
        }

        /** The target asked for a wait longer than RETRY_AFTER_MAX, and was given the cap instead. */
        public boolean capped() {
            return askedWaitMillis > 0;
        }
    }

    /**
     * What a failure says about itself: whether waiting may help, how long the target asked to wait, and why.
     * {@code held}: the event was not sent at all, its target being on hold.
     */
    record Failure(boolean transientFailure, long retryAfterMillis, String reason, boolean held, boolean gone) {

        Failure(boolean transientFailure, long retryAfterMillis, String reason) {
            this(transientFailure, retryAfterMillis, reason, false, false);
        }
    }

    private final RetryPolicy policy;
    private final DoubleSupplier random;

    public DeliveryOutcomes(RetryPolicy policy, DoubleSupplier random) {
        this.policy = policy;
        this.random = random;
    }

    /**
     * Decides after a failed attempt.
     *
     * @param failure        what the attempt threw
     * @param failures       failed attempts so far, this one included
     * @param firstFailureAt when the first of them failed (epoch ms)
     * @param now            the time now (epoch ms)
     */
    public Decision decide(Throwable failure, int failures, long firstFailureAt, long now) {
        Failure what = classify(failure, now);
        if (what.gone()) {
            // kept for the resume, whatever its age: the target has not refused the event, it is not there
            return new Decision(true, now, what.reason(), 0, 0, true);
        }
        String attempts = failures == 1 ? "1 attempt" : failures + " attempts";
        if (!what.transientFailure()) {
            return new Decision(false, now, what.reason() + " (permanent, after " + attempts + ")", 0);
        }
        // a held event goes back at the end of the hold: the target has not refused it, it has not seen it. A
        // Retry-After is the wait the target asked for: taken as asked (the wait queues add at most their shortest
        // step), not stretched to the backoff
        // A Retry-After longer than RETRY_AFTER_MAX is cut to it (a Retry-After: 999999 held a target for 24 h)
        long cap = policy.retryAfterMax().toMillis();
        long asked = what.held() ? 0 : what.retryAfterMillis();
        long retryAfter = Math.min(asked, cap);
        long wait = what.held() ? what.retryAfterMillis()
                : retryAfter > 0 ? retryAfter : policy.backoffMillis(failures, random);
        long dueAt = now + wait;
        if (dueAt > firstFailureAt + policy.maxAge().toMillis()) {
            return new Decision(false, now, what.reason() + " (gave up after " + attempts + " over "
                    + Duration.ofMillis(now - firstFailureAt).toSeconds() + " s)", 0);
        }
        long holdTarget = retryAfter > 0 ? now + retryAfter : 0;
        return new Decision(true, dueAt, what.reason(), holdTarget, asked > cap ? asked : 0, false);
    }

    static Failure classify(Throwable failure, long now) {
        if (find(failure, TargetSuspensions.TargetSuspended.class) != null) {
            return new Failure(true, 0, "target suspended (it answered 410 Gone)", true, true);
        }
        TargetHolds.TargetOnHold hold = find(failure, TargetHolds.TargetOnHold.class);
        if (hold != null) {
            return new Failure(true, Math.max(0, hold.until() - now), "target on hold (it asked to wait)", true, false);
        }
        HttpOperationFailedException http = find(failure, HttpOperationFailedException.class);
        if (http != null) {
            int status = http.getStatusCode();
            if (status == 410) {
                return new Failure(true, 0, "HTTP 410" + errorCode(http.getResponseBody()), false, true);
            }
            boolean retryable = status == 408 || status == 429 || status >= 500;
            long retryAfter = retryable ? RetryAfter.millis(http.getResponseHeaders(), http.getResponseBody(), now) : 0;
            return new Failure(retryable, retryAfter, "HTTP " + status);
        }
        Integer smtpCode = SmtpReply.code(failure);
        if (smtpCode != null) {
            return new Failure(smtpCode < 500, 0, "SMTP " + smtpCode);
        }
        if (find(failure, SocketTimeoutException.class) != null || find(failure, TimeoutException.class) != null
                || find(failure, InterruptedIOException.class) != null) {
            return new Failure(true, 0, "timed out");
        }
        if (find(failure, ConnectException.class) != null) {
            return new Failure(true, 0, "connection refused");
        }
        if (find(failure, UnknownHostException.class) != null) {
            return new Failure(true, 0, "unknown host");
        }
        // refused by the HTTP client itself, before anything was sent (a request URI it will not send, such as one
        // with user:password@): a request to fix, not a network failure that waiting cures
        if (find(failure, ClientProtocolException.class) != null || find(failure, ProtocolException.class) != null) {
            return new Failure(false, 0, "request refused by the HTTP client");
        }
        IOException io = find(failure, IOException.class);
        if (io != null) {
            return new Failure(true, 0, "connection failed (" + io.getClass().getSimpleName() + ")");
        }
        return new Failure(false, 0, "cannot be delivered (" + failure.getClass().getSimpleName() + ")");
    }

    /**
     * A short error code the target gave as its whole answer (Slack answers {@code 410} with the text
     * {@code channel_is_archived}; https://api.slack.com/messaging/webhooks#handling_errors), with a leading space;
     * empty for any other body, which is never quoted (it may echo a URL).
     */
    private static String errorCode(String body) {
        String text = body == null ? "" : body.trim();
        return text.matches("[a-z][a-z_]{2,63}") ? " " + text : "";
    }

    /** The first throwable of that type in the chain of causes, or null. */
    static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
