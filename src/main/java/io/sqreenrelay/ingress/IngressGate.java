package io.sqreenrelay.ingress;

/**
 * Whether the relay takes webhooks. Closed while it starts, until every route has started (a target's queue must be
 * bound before an event is accepted for it, and Camel's route controller starts the webhook route first); open
 * while it runs; closed again, for good, when it starts shutting down. While closed, new webhooks are answered 503
 * with {@code Retry-After} (Sqreen sends them again), readiness is down, and requests already inside finish.
 */
public final class IngressGate {

    public enum State { STARTING, OPEN, SHUTTING_DOWN }

    private volatile State state = State.STARTING;

    public State state() {
        return state;
    }

    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** Every route has started: webhooks are taken from now on (unless shutdown has begun). */
    public synchronized void open() {
        if (state == State.STARTING) {
            state = State.OPEN;
        }
    }

    public synchronized void close() {
        state = State.SHUTTING_DOWN;
    }
}
