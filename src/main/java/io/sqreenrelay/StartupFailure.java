package io.sqreenrelay;

/**
 * A fatal start-up error other than a wrong setting: a port another process holds, a route that cannot start. Its
 * message is one line naming the cause (and the variable, when one is involved); the relay then exits non-zero.
 */
public final class StartupFailure extends RuntimeException {

    public StartupFailure(String message) {
        super(message, null, false, false);
    }
}
