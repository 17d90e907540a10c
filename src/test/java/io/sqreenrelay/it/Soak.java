package io.sqreenrelay.it;

/**
 * The fault tests run short in the build and long as a soak: {@code mvn -B verify -Dsoak} (see docs/reliability.md)
 * makes each of them run more cycles, longer storms and more input.
 */
public final class Soak {

    private Soak() {
    }

    public static boolean on() {
        String value = System.getProperty("soak");
        return value != null && !value.equals("false");
    }

    /** {@code fast} in the build, {@code soak} in a soak run. */
    public static int pick(int fast, int soak) {
        return on() ? soak : fast;
    }
}
