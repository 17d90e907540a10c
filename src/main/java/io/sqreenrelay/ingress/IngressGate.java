package io.sqreenrelay.ingress;

/**
 * Open while the relay takes webhooks. It closes once, when the relay starts shutting down: from then on new
 * requests are answered 503 with {@code Retry-After} (Sqreen sends them again, to this relay's successor), readiness
 * is down, and requests already inside finish.
 */
public final class IngressGate {

    private volatile boolean open = true;

    public boolean isOpen() {
        return open;
    }

    public void close() {
        open = false;
    }
}
