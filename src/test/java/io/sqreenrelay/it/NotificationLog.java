package io.sqreenrelay.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The log target's file, LOG_DIR/notifications.log (LOG_DIR is set for the integration tests by the pom). */
public final class NotificationLog {

    private NotificationLog() {
    }

    public static Path file() {
        String dir = System.getenv("LOG_DIR");
        return Path.of(dir == null ? "logs" : dir, "notifications.log");
    }

    public static List<String> lines() {
        try {
            return Files.exists(file()) ? Files.readAllLines(file(), StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines that carry {@code key=KEY}. */
    public static List<String> linesFor(String key) {
        String field = " key=" + key;
        return lines().stream().filter(l -> l.endsWith(field) || l.contains(field + " ")).toList();
    }

    /** Waits until {@code key} has been logged, and returns its lines. */
    public static List<String> awaitLogged(String key) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !linesFor(key).isEmpty());
        return linesFor(key);
    }
}
