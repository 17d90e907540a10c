package io.sqreenrelay.it;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * What one target received against what the relay accepted: of the events answered 200, how many arrived, how many
 * extra copies arrived (duplicates), and how many never did (lost).
 *
 * @param target     the target's name
 * @param accepted   events answered 200
 * @param delivered  accepted events that arrived at least once
 * @param duplicates copies beyond the first, over all accepted events
 * @param lost       accepted events that never arrived
 */
public record Tally(String target, int accepted, int delivered, long duplicates, int lost) {

    /** {@code arrivals}: every event key the target received, once per arrival. */
    public static Tally of(String target, Set<String> accepted, Collection<String> arrivals) {
        Map<String, Long> counts = arrivals.stream().collect(Collectors.groupingBy(k -> k, Collectors.counting()));
        int delivered = 0;
        long duplicates = 0;
        for (String key : accepted) {
            long n = counts.getOrDefault(key, 0L);
            if (n > 0) {
                delivered++;
                duplicates += n - 1;
            }
        }
        return new Tally(target, accepted.size(), delivered, duplicates, accepted.size() - delivered);
    }

    /**
     * The event keys in a log target's file (its lines end with {@code key=KEY}), once per line, the files it rolled
     * over to ({@code notifications.N.log.gz}) included.
     */
    public static List<String> loggedKeys(Path notifications) {
        try (Stream<Path> siblings = Files.list(notifications.toAbsolutePath().getParent())) {
            List<String> keys = new ArrayList<>();
            for (Path file : siblings.filter(f -> f.getFileName().toString().startsWith("notifications")).toList()) {
                keys.addAll(keysIn(file));
            }
            return keys;
        } catch (NoSuchFileException noLogYet) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> keysIn(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (file.toString().endsWith(".gz")) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                bytes = in.readAllBytes();
            }
        }
        return new String(bytes, StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains(" key="))
                .map(line -> line.substring(line.lastIndexOf(" key=") + 5).trim())
                .toList();
    }

    /** The event keys an HTTP sink received ({@code X-Relay-Event-Key}), once per request. */
    public static List<String> postedKeys(StubHttpServer sink) {
        return sink.requests().stream().map(r -> r.header("X-Relay-Event-Key")).toList();
    }

    /**
     * Waits until no accepted event is missing at any target, and returns the final tallies; fails with the tallies
     * (what is still missing where) when that does not happen within {@code atMost}.
     */
    public static List<Tally> awaitNoneLost(Duration atMost, Supplier<List<Tally>> tallies) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        List<Tally> last = tallies.get();
        while (!last.stream().allMatch(Tally::complete)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("events still missing after " + atMost + ": " + last);
            }
            Thread.sleep(1000);
            last = tallies.get();
        }
        return last;
    }

    public boolean complete() {
        return lost == 0;
    }

    @Override
    public String toString() {
        return target + ": accepted " + accepted + ", delivered " + delivered + ", duplicates " + duplicates
                + ", lost " + lost;
    }
}
