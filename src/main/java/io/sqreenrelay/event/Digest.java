package io.sqreenrelay.event;

import java.util.List;

/**
 * What a digest says about the events of one group it covers (SPEC, "Digests"): how many, from when to when, the
 * first titles and how many more. A digest travels as an {@link AcceptedEvent} whose {@code digest} is this, so that
 * it is delivered, retried, held and dead-lettered exactly as an event is.
 *
 * @param count   how many events the digest covers (at least 1)
 * @param firstAt when the relay accepted the earliest of them (epoch milliseconds)
 * @param lastAt  when it accepted the latest (epoch milliseconds)
 * @param titles  the titles of the first {@value #MAX_TITLES} events, in the order they came
 * @param more    how many events are covered beyond those titles ({@code count - titles.size()})
 */
public record Digest(int count, long firstAt, long lastAt, List<String> titles, int more) {

    /** At most this many titles are listed; the rest are counted. */
    public static final int MAX_TITLES = 10;

    public Digest {
        if (count < 1) {
            throw new IllegalArgumentException("a digest covers at least one event, got " + count);
        }
        titles = titles == null ? List.of() : List.copyOf(titles);
    }
}
