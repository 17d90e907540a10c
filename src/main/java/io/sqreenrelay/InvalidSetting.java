package io.sqreenrelay;

/** A setting that is present but wrong. Its message is one line naming the environment variable. */
public final class InvalidSetting extends RuntimeException {

    public InvalidSetting(String message) {
        super(message, null, false, false);
    }
}
